namespace Billing.Catalogue.Tests;

public sealed class When_one_off_charges_are_added(CatalogueFixture fixture) : IClassFixture<CatalogueFixture>, IAsyncLifetime
{
    private readonly CatalogueApi api = fixture.Api;
    private Guid account;

    public async Task InitializeAsync()
    {
        if ((await api.GetAsync("/api/plans/services")).Status == 404) await api.CreatePlanAsync("services");
        account = await api.CreateAccountAsync("services", "Charged Ltd");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static Dictionary<string, object?> Charge(string period = "2026-11", object? quantity = null, object? unitPrice = null) => new()
    {
        ["description"] = "Managed migration job", ["quantity"] = quantity ?? "2", ["unit_price"] = unitPrice ?? "1250.000000000001", ["period"] = period,
    };

    [Fact]
    public async Task Lists_them_by_period_with_exact_values()
    {
        var (status, created, _) = await api.PostAsync($"/api/accounts/{account}/charges", Charge());
        Assert.Equal(201, status);
        Assert.Equal("1250.000000000001", created.GetProperty("unit_price").GetString());
        await api.PostAsync($"/api/accounts/{account}/charges", Charge("2026-12", 1, "-50.5"));

        var (ok, list) = await api.GetAsync($"/api/accounts/{account}/charges?period=2026-11", api.Viewer);
        Assert.Equal(200, ok);
        var charge = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal("Managed migration job", charge.GetProperty("description").GetString());
        Assert.Equal("2", charge.GetProperty("quantity").GetString());
        Assert.Equal("1250.000000000001", charge.GetProperty("unit_price").GetString());
        Assert.Equal("2026-11", charge.GetProperty("period").GetString());

        var (_, all) = await api.GetAsync($"/api/accounts/{account}/charges");
        Assert.Contains(all.GetProperty("items").EnumerateArray(), c => c.GetProperty("unit_price").GetString() == "-50.5");
    }

    [Fact]
    public async Task Adds_a_retried_charge_once()
    {
        var body = Charge("2026-10");
        body["idempotency_key"] = "job-4711";
        var (first, created, _) = await api.PostAsync($"/api/accounts/{account}/charges", body);
        Assert.Equal(201, first);
        var before = await api.SnapshotAsync();
        var (again, same, _) = await api.PostAsync($"/api/accounts/{account}/charges", body);
        Assert.Equal(200, again);
        Assert.Equal(created.GetProperty("id").GetGuid(), same.GetProperty("id").GetGuid());
        Assert.Equal(before, await api.SnapshotAsync());

        body["quantity"] = "3";
        ProblemAssert.NamesField(409, await api.PostAsync($"/api/accounts/{account}/charges", body), "idempotency_key");
    }

    public static TheoryData<string, string, object?, string> BadCharges => new()
    {
        { "month 13", "period", "2026-13", "period" },
        { "two-digit year", "period", "26-10", "period" },
        { "missing period", "period", null, "period" },
        { "zero quantity", "quantity", "0", "quantity" },
        { "negative quantity", "quantity", -2, "quantity" },
        { "non-numeric quantity", "quantity", "two", "quantity" },
        { "non-numeric unit price", "unit_price", "1.2.3", "unit_price" },
        { "13 decimals", "unit_price", "0.0000000000001", "unit_price" },
        { "missing description", "description", null, "description" },
    };

    [Theory, MemberData(nameof(BadCharges))]
    public async Task Refuses_bad_input_naming_the_field_and_writes_nothing(string because, string property, object? value, string field)
    {
        _ = because;
        var body = Charge();
        body[property] = value;
        var before = await api.SnapshotAsync();
        ProblemAssert.NamesField(400, await api.PostAsync($"/api/accounts/{account}/charges", body), field);
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Answers_404_for_an_unknown_account()
    {
        var before = await api.SnapshotAsync();
        var (status, _, media) = await api.PostAsync($"/api/accounts/{Guid.NewGuid()}/charges", Charge());
        Assert.Equal(404, status);
        Assert.Equal("application/problem+json", media);
        Assert.Equal(404, (await api.GetAsync($"/api/accounts/{Guid.NewGuid()}/charges")).Status);
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Refuses_a_malformed_period_filter()
    {
        var response = await api.Operator.GetAsync($"/api/accounts/{account}/charges?period=2026-1");
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("\"period\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Refuses_a_closed_period()
    {
        await api.ExecuteAsync("insert into invoice_runs (id, period, status) values (@id, '2026-04', 'running')", new { id = Guid.NewGuid() });
        var before = await api.SnapshotAsync();
        Assert.Contains("2026-04 is closed", ProblemAssert.NamesField(409, await api.PostAsync($"/api/accounts/{account}/charges", Charge("2026-04")), "period"));
        Assert.Equal(before, await api.SnapshotAsync());
    }
}

public sealed class When_a_viewer_key_writes(CatalogueFixture fixture) : IClassFixture<CatalogueFixture>
{
    private readonly CatalogueApi api = fixture.Api;

    [Theory]
    [InlineData("/api/plans", """{"code":"v","name":"V","currency":"EUR","base_fee_minor":0,"components":[]}""")]
    [InlineData("/api/accounts", """{"name":"V","billing_email":"v@v.example","plan":"v","address":{"line1":"x","city":"y","postal_code":"1","country":"DE"}}""")]
    [InlineData("/api/accounts/batch", """{"accounts":[]}""")]
    [InlineData("/api/usage", """{"records":[]}""")]
    [InlineData("/api/accounts/0193f2a4-6f1e-7cc1-9d2b-4e1f8a3c5b6d/charges", """{"description":"x","quantity":1,"unit_price":"1","period":"2026-10"}""")]
    public async Task Gets_403_and_nothing_is_written(string path, string body)
    {
        var before = await api.SnapshotAsync();
        var (status, problem, media) = await api.PostAsync(path, CatalogueApi.Body(body), api.Viewer);
        Assert.Equal(403, status);
        Assert.Equal("application/problem+json", media);
        Assert.Contains("operator", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Without_a_key_reads_get_401()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(api.Process.BaseUrl) };
        Assert.Equal(401, (int)(await anonymous.GetAsync("/api/plans")).StatusCode);
        Assert.Equal(401, (int)(await anonymous.GetAsync("/api/accounts")).StatusCode);
    }
}
