using System.Text.Json;

namespace Billing.Catalogue.Tests;

public sealed class When_plans_are_created(CatalogueFixture fixture) : IClassFixture<CatalogueFixture>
{
    private readonly CatalogueApi api = fixture.Api;

    public static TheoryData<string, string> Models => new()
    {
        { "per-unit", """[{"metric":"impressions","description":"Ad impressions","model":"per_unit","unit_price":"0.000000000001"}]""" },
        { "graduated", """[{"metric":"api_calls","model":"graduated","tiers":[{"up_to":1000,"unit_price":"0.10"},{"up_to":10000,"unit_price":"0.08","flat_fee":"5.00"},{"up_to":null,"unit_price":"0.000123456789"}]}]""" },
        { "volume", """[{"metric":"seats","model":"volume","tiers":[{"up_to":10,"unit_price":"12.50"},{"up_to":50.5,"unit_price":"10","flat_fee":"1.000000000001"},{"up_to":null,"flat_fee":"400"}]}]""" },
        { "package", """[{"metric":"sms","model":"package","package_size":100,"package_price":"2.50"}]""" },
        { "mixed", """[{"metric":"a","model":"per_unit","unit_price":"123456789.123456789012"},{"metric":"b","model":"package","package_size":1000,"package_price":"0.5"}]""" },
    };

    [Theory, MemberData(nameof(Models))]
    public async Task Reads_back_each_pricing_model_exactly(string code, string components)
    {
        var created = await api.CreatePlanAsync(code, "USD", components);
        var expected = JsonDocument.Parse(components).RootElement;

        var (byCode, plan) = await api.GetAsync($"/api/plans/{code}");
        Assert.Equal(200, byCode);
        Assert.Equal(code, plan.GetProperty("code").GetString());
        Assert.Equal("USD", plan.GetProperty("currency").GetString());
        Assert.Equal(4900, plan.GetProperty("base_fee_minor").GetInt64());
        AssertSameComponents(expected, plan.GetProperty("components"));
        AssertSameComponents(expected, created.GetProperty("components"));

        var (byId, same) = await api.GetAsync($"/api/plans/{created.GetProperty("id").GetGuid()}");
        Assert.Equal(200, byId);
        Assert.Equal(code, same.GetProperty("code").GetString());

        // What the invoice generator reads: the column holds exactly these prices as strings.
        var stored = await api.ScalarAsync<string>("select components::text from plans where code = @code", new { code });
        foreach (var price in Prices(expected)) Assert.Contains($"\"{price}\"", stored);
    }

    [Fact]
    public async Task Lists_every_plan()
    {
        await api.CreatePlanAsync("list-a");
        await api.CreatePlanAsync("list-b", "JPY");
        var (status, list) = await api.GetAsync("/api/plans", api.Viewer);
        Assert.Equal(200, status);
        var codes = list.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("code").GetString()).ToList();
        Assert.Contains("list-a", codes);
        Assert.Contains("list-b", codes);
    }

    [Fact]
    public async Task Refuses_a_duplicate_code_with_409_and_keeps_the_first()
    {
        await api.CreatePlanAsync("dup");
        var before = await api.SnapshotAsync();
        var response = await api.PostAsync("/api/plans", CatalogueApi.Body(
            """{"code":"dup","name":"Other","currency":"GBP","base_fee_minor":1,"components":[]}"""));
        Assert.Contains("already exists", ProblemAssert.NamesField(409, response, "code"));
        Assert.Equal(before, await api.SnapshotAsync());
        var (_, plan) = await api.GetAsync("/api/plans/dup");
        Assert.Equal("EUR", plan.GetProperty("currency").GetString());
    }

    public static TheoryData<string, string, string> BadPlans => new()
    {
        { "not increasing", """{"code":"x1","name":"X","currency":"EUR","base_fee_minor":0,"components":[{"metric":"m","model":"graduated","tiers":[{"up_to":100,"unit_price":"1"},{"up_to":100,"unit_price":"0.5"},{"up_to":null,"unit_price":"0.1"}]}]}""", "components[0].tiers[1].up_to" },
        { "no open last tier", """{"code":"x2","name":"X","currency":"EUR","base_fee_minor":0,"components":[{"metric":"m","model":"volume","tiers":[{"up_to":100,"unit_price":"1"},{"up_to":200,"unit_price":"0.5"}]}]}""", "components[0].tiers[1].up_to" },
        { "negative price", """{"code":"x3","name":"X","currency":"EUR","base_fee_minor":0,"components":[{"metric":"m","model":"per_unit","unit_price":"-0.01"}]}""", "components[0].unit_price" },
        { "13 decimals", """{"code":"x4","name":"X","currency":"EUR","base_fee_minor":0,"components":[{"metric":"m","model":"per_unit","unit_price":"0.0000000000001"}]}""", "components[0].unit_price" },
        { "non-numeric price", """{"code":"x5","name":"X","currency":"EUR","base_fee_minor":0,"components":[{"metric":"m","model":"per_unit","unit_price":"abc"}]}""", "components[0].unit_price" },
        { "unknown model", """{"code":"x6","name":"X","currency":"EUR","base_fee_minor":0,"components":[{"metric":"m","model":"tiered"}]}""", "components[0].model" },
        { "unknown currency", """{"code":"x7","name":"X","currency":"XYZ","base_fee_minor":0,"components":[]}""", "currency" },
        { "lower-case currency", """{"code":"x8","name":"X","currency":"eur","base_fee_minor":0,"components":[]}""", "currency" },
        { "negative base fee", """{"code":"x9","name":"X","currency":"EUR","base_fee_minor":-1,"components":[]}""", "base_fee_minor" },
        { "fractional base fee", """{"code":"x10","name":"X","currency":"EUR","base_fee_minor":12.5,"components":[]}""", "base_fee_minor" },
        { "string base fee", """{"code":"x11","name":"X","currency":"EUR","base_fee_minor":"4900","components":[]}""", "base_fee_minor" },
        { "missing components", """{"code":"x12","name":"X","currency":"EUR","base_fee_minor":0}""", "components" },
        { "missing code", """{"name":"X","currency":"EUR","base_fee_minor":0,"components":[]}""", "code" },
        { "code with a slash", """{"code":"a/b","name":"X","currency":"EUR","base_fee_minor":0,"components":[]}""", "code" },
        { "unknown field", """{"code":"x13","name":"X","currency":"EUR","base_fee":0,"components":[]}""", "base_fee" },
        { "duplicate metric", """{"code":"x14","name":"X","currency":"EUR","components":[{"metric":"m","model":"per_unit","unit_price":"1"},{"metric":"m","model":"per_unit","unit_price":"2"}]}""", "components[1].metric" },
        { "zero package size", """{"code":"x15","name":"X","currency":"EUR","components":[{"metric":"m","model":"package","package_size":0,"package_price":"1"}]}""", "components[0].package_size" },
        { "not JSON", """{"code":"x16",""", "body" },
    };

    [Theory, MemberData(nameof(BadPlans))]
    public async Task Refuses_bad_input_naming_the_field_and_writes_nothing(string because, string body, string field)
    {
        _ = because;
        var before = await api.SnapshotAsync();
        var response = await api.PostAsync("/api/plans", CatalogueApi.Body(body));
        var message = ProblemAssert.NamesField(400, response, field);
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Answers_404_for_an_unknown_plan()
    {
        var (status, problem) = await api.GetAsync("/api/plans/no-such-plan");
        Assert.Equal(404, status);
        Assert.Contains("no-such-plan", problem.GetProperty("detail").GetString());
        Assert.Equal(404, (await api.GetAsync($"/api/plans/{Guid.NewGuid()}")).Status);
    }

    private static void AssertSameComponents(JsonElement expected, JsonElement actual)
    {
        Assert.Equal(expected.GetArrayLength(), actual.GetArrayLength());
        for (var i = 0; i < expected.GetArrayLength(); i++)
            foreach (var property in expected[i].EnumerateObject())
            {
                var got = actual[i].GetProperty(property.Name);
                if (property.Name == "tiers")
                    for (var t = 0; t < property.Value.GetArrayLength(); t++)
                        foreach (var tierField in property.Value[t].EnumerateObject())
                            Assert.Equal(tierField.Value.ToString(), got[t].GetProperty(tierField.Name).ToString());
                else Assert.Equal(property.Value.ToString(), got.ToString());
            }
    }

    private static IEnumerable<string> Prices(JsonElement components) =>
        components.EnumerateArray().SelectMany(c => c.EnumerateObject())
            .SelectMany(p => p.Name == "tiers" ? p.Value.EnumerateArray().SelectMany(t => t.EnumerateObject()) : [p])
            .Where(p => p.Name is "unit_price" or "flat_fee" or "package_price")
            .Select(p => p.Value.GetString()!);
}
