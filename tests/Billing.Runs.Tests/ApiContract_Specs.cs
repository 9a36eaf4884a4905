using System.Text.Json;

namespace Billing.Runs.Tests;

/// <summary>One small run whose answers are checked against the admin API's contract.</summary>
public sealed class ApiContractRun : IAsyncLifetime
{
    /// <summary>A price below a millionth of a unit: written as a JSON number it came out as 5.00500E-7.</summary>
    public const decimal TinyPrice = 0.000000500500m;

    public RunHarness H { get; private set; } = null!;
    public Guid RunId { get; private set; }
    public Guid InvoiceId { get; private set; }

    public async Task InitializeAsync()
    {
        H = await RunHarness.StartAsync("apicontract");
        var db = H.Db.DataSource;
        var plan = await Catalogue.PlanAsync(db, "tiny-eur", "EUR", 1900, ("api_calls", TinyPrice), ("storage_gb", 0.023m));
        var accounts = Enumerable.Range(0, 3).Select(i => new TestAccount(Guid.NewGuid(), plan, 19m,
            new Dictionary<string, decimal> { ["api_calls"] = 1_000_000m + i, ["storage_gb"] = 12.5m }, i == 0 ? [(2m, 149.995m)] : [])).ToList();
        await Catalogue.InsertAsync(db, accounts, RunHarness.Period);
        RunId = await H.StartRunAsync();
        await H.UntilSettledAsync(RunId, accounts.Count);
        var page = JsonDocument.Parse(await H.Http.GetStringAsync($"/api/invoices?run_id={RunId}")).RootElement;
        InvoiceId = page.GetProperty("invoices")[0].GetProperty("id").GetGuid();
    }

    public async Task DisposeAsync() => await H.DisposeAsync();
}

public sealed class The_admin_api_contract(ApiContractRun run) : IClassFixture<ApiContractRun>
{
    [Fact]
    public async Task Writes_every_decimal_of_an_invoice_as_a_string_in_plain_notation()
    {
        var invoice = JsonDocument.Parse(await run.H.Http.GetStringAsync($"/api/invoices/{run.InvoiceId}")).RootElement;

        Assert.Equal(JsonValueKind.String, invoice.GetProperty("tax_rate").ValueKind);
        Assert.Equal("19", invoice.GetProperty("tax_rate").GetString());
        var lines = invoice.GetProperty("lines").EnumerateArray().ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l =>
        {
            Assert.Equal(JsonValueKind.String, l.GetProperty("quantity").ValueKind);
            Assert.Equal(JsonValueKind.String, l.GetProperty("unit_price").ValueKind);
            Assert.Equal(JsonValueKind.Number, l.GetProperty("amount_minor").ValueKind);
        });
        var api = Assert.Single(lines, l => l.GetProperty("component").GetString() == "api_calls");
        Assert.Equal("0.0000005005", api.GetProperty("unit_price").GetString());
        Assert.DoesNotContain(Numbers(invoice), n => n.Contains('e', StringComparison.OrdinalIgnoreCase) || n.Contains('.', StringComparison.Ordinal));
        var storage = Assert.Single(lines, l => l.GetProperty("component").GetString() == "storage_gb");
        Assert.Equal("12.5", storage.GetProperty("quantity").GetString());
        Assert.Equal("0.023", storage.GetProperty("unit_price").GetString());
    }

    [Fact]
    public async Task Serves_its_openapi_document_and_reference_ui_without_an_api_key()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(run.H.Api.BaseUrl) };

        var document = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(System.Net.HttpStatusCode.OK, document.StatusCode);
        var doc = JsonDocument.Parse(await document.Content.ReadAsStringAsync()).RootElement;
        var scheme = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        var start = doc.GetProperty("paths").GetProperty("/api/runs").GetProperty("post");
        Assert.Equal(["202", "400", "401", "403", "409", "413", "415"], start.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        Assert.Equal("ApiKey", Assert.Single(Assert.Single(start.GetProperty("security").EnumerateArray()).EnumerateObject()).Name);
        var unitPrice = doc.GetProperty("components").GetProperty("schemas").GetProperty("InvoiceLine").GetProperty("properties").GetProperty("unit_price");
        Assert.Equal("string", unitPrice.GetProperty("type").GetString());

        var ui = await anonymous.GetAsync("/docs/");
        Assert.Equal(System.Net.HttpStatusCode.OK, ui.StatusCode);
        // The page loads the document from the site's root ("openapi/v1.json" against the path before /docs/) and its
        // script from the API itself, not from a CDN.
        Assert.Contains("\"url\":\"openapi/v1.json\"", await ui.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.OK, (await anonymous.GetAsync("/docs/scalar.js")).StatusCode);
        // The data stays behind the key.
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/runs")).StatusCode);
    }

    /// <summary>Every JSON number of an answer as written.</summary>
    private static IEnumerable<string> Numbers(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => [e.GetRawText()],
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Numbers(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(Numbers),
        _ => [],
    };
}
