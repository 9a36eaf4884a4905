using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Billing.Catalogue.Tests;

/// <summary>
/// Requests a new user gets wrong, each answered as problem+json that says what is wrong and with nothing written:
/// another media type than JSON (415), a body over the limit (413), a field of the wrong JSON type or malformed JSON
/// (400 naming the field), a run started twice (409 saying what it clashes with).
/// </summary>
public sealed class When_a_request_cannot_be_taken(CatalogueFixture fixture) : IClassFixture<CatalogueFixture>
{
    private readonly CatalogueApi api = fixture.Api;

    private static readonly string AccountJson = """
        {"name":"Plain Text Co","billing_email":"billing@plain.example","plan":"media","tax_rate":"19",
         "address":{"line1":"Hauptstr. 1","city":"Berlin","postal_code":"10115","country":"DE"}}
        """;

    private async Task<(int Status, JsonElement Json, string MediaType)> SendAsync(HttpMethod method, string path, HttpContent content,
        bool expectContinue = false)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        // As curl does for large bodies: the headers first, the body once the server asks for it.
        if (expectContinue) request.Headers.ExpectContinue = true;
        using var response = await api.Operator.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(),
            response.Content.Headers.ContentType?.MediaType ?? "");
    }

    private async Task<string> WrittenAsync() =>
        await api.SnapshotAsync() + "; runs: " + await api.ScalarAsync<long>("select count(*) from invoice_runs");

    private static void AssertProblem(int status, (int Status, JsonElement Json, string MediaType) response, params string[] inDetail)
    {
        Assert.True(response.Status == status, $"expected {status}, got {response.Status}: {response.Json}");
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Equal(status, response.Json.GetProperty("status").GetInt32());
        var detail = response.Json.GetProperty("detail").GetString() ?? "";
        foreach (var text in inDetail) Assert.Contains(text, detail);
    }

    private async Task EnsurePlanAsync()
    {
        if ((await api.GetAsync("/api/plans/media")).Status == 404) await api.CreatePlanAsync("media");
    }

    [Theory]
    [InlineData("/api/accounts", "text/plain")]
    [InlineData("/api/accounts", "application/x-www-form-urlencoded")]
    [InlineData("/api/accounts", "text/json-ish")]
    [InlineData("/api/plans", "text/plain")]
    [InlineData("/api/usage", "application/xml")]
    public async Task Refuses_a_body_that_is_not_json_with_415_and_stores_nothing(string path, string mediaType)
    {
        await EnsurePlanAsync();
        var before = await WrittenAsync();
        var body = path == "/api/accounts" ? AccountJson : """{"records":[]}""";

        var response = await SendAsync(HttpMethod.Post, path, new StringContent(body, Encoding.UTF8, mediaType));

        AssertProblem(415, response, mediaType, "application/json");
        Assert.Equal(before, await WrittenAsync());
    }

    [Fact]
    public async Task Refuses_a_body_without_a_content_type_with_415_and_stores_nothing()
    {
        await EnsurePlanAsync();
        var before = await WrittenAsync();

        var response = await SendAsync(HttpMethod.Post, "/api/accounts", new ByteArrayContent(Encoding.UTF8.GetBytes(AccountJson)));

        AssertProblem(415, response, "no Content-Type", "application/json");
        Assert.Equal(before, await WrittenAsync());
    }

    [Fact]
    public async Task Does_accept_the_same_account_as_json()
    {
        await EnsurePlanAsync();
        var response = await SendAsync(HttpMethod.Post, "/api/accounts", new StringContent(AccountJson, Encoding.UTF8, "application/json"));
        Assert.True(response.Status == 201, response.Json.ToString());
    }

    /// <summary>A usage batch of about 40 MB: well-formed records, only too many bytes.</summary>
    private static byte[] HugeUsageBody()
    {
        var sb = new StringBuilder("""{"records":[""");
        var record = $$"""{"account_id":"{{Guid.NewGuid()}}","metric":"api_calls","quantity":"1","occurred_at":"2026-09-15T10:00:00Z","idempotency_key":"k{0}"}""";
        for (var i = 0; sb.Length < 40_000_000; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(record.Replace("{0}", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }
        return Encoding.UTF8.GetBytes(sb.Append("]}").ToString());
    }

    [Fact]
    public async Task Refuses_a_40_mb_usage_body_with_413_and_stores_nothing()
    {
        var before = await WrittenAsync();
        var content = new ByteArrayContent(HugeUsageBody());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await SendAsync(HttpMethod.Post, "/api/usage", content, expectContinue: true);

        AssertProblem(413, response, "bytes");
        Assert.Equal(before, await WrittenAsync());
    }

    [Theory]
    [InlineData("""{"period": 202610}""", "JSON string")]
    [InlineData("""{"period": ["2026", "10"]}""", "JSON string")]
    [InlineData("""{"period": {"year": 2026}}""", "JSON string")]
    [InlineData("""{"period": 2026-10}""", "malformed")]
    public async Task Names_period_when_it_is_not_a_json_string_and_starts_nothing(string body, string said) =>
        Assert.Contains(said, await NamesFieldAndWritesNothingAsync("/api/runs", body, "period"));

    /// <summary>Posts <paramref name="body"/> as JSON; asserts a 400 whose errors and detail name <paramref name="field"/>
    /// and that nothing was written; returns the field's messages.</summary>
    private async Task<string> NamesFieldAndWritesNothingAsync(string path, string body, string field)
    {
        var before = await WrittenAsync();
        var response = await SendAsync(HttpMethod.Post, path, new StringContent(body, Encoding.UTF8, "application/json"));
        var messages = ProblemAssert.NamesField(400, (response.Status, response.Json, response.MediaType), field);
        AssertProblem(400, response, "Not valid: " + field);
        Assert.Equal(before, await WrittenAsync());
        return messages;
    }

    [Theory]
    [InlineData("period=2026-10")]
    [InlineData("""{"period": "2026-10" """)]
    [InlineData("""["2026-10"]""")]
    public async Task Names_the_body_when_it_is_not_a_json_object(string body) =>
        await NamesFieldAndWritesNothingAsync("/api/runs", body, "body");

    [Theory]
    [InlineData("""{"period": "2026-13"}""")]
    [InlineData("""{}""")]
    public async Task Names_period_in_the_detail_of_a_validation_problem(string body) =>
        await NamesFieldAndWritesNothingAsync("/api/runs", body, "period");

    [Fact]
    public async Task Names_the_catalogue_field_in_the_detail_too() =>
        await NamesFieldAndWritesNothingAsync("/api/plans", """{"name":"No code","currency":"EUR","base_fee_minor":100,"components":[]}""", "code");

    [Fact]
    public async Task Says_what_a_second_run_of_a_period_clashes_with()
    {
        // A month that has ended, whatever today is; no generator runs here, so the first run stays running.
        var period = DateTime.UtcNow.AddMonths(-2).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var first = await SendAsync(HttpMethod.Post, "/api/runs", new StringContent($$"""{"period":"{{period}}"}""", Encoding.UTF8, "application/json"));
        Assert.True(first.Status == 202, first.Json.ToString());
        var runId = first.Json.GetProperty("run_id").GetString();
        var before = await WrittenAsync();

        var second = await SendAsync(HttpMethod.Post, "/api/runs", new StringContent($$"""{"period":"{{period}}"}""", Encoding.UTF8, "application/json"));

        ProblemAssert.NamesField(409, (second.Status, second.Json, second.MediaType), "period");
        var title = second.Json.GetProperty("title").GetString();
        Assert.NotEqual("One or more validation errors occurred.", title);
        Assert.Contains(period, title);
        AssertProblem(409, second, runId!, "still running");
        Assert.Equal(before, await WrittenAsync());
    }
}
