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

    /// <summary>Every JSON number of an answer as written.</summary>
    private static IEnumerable<string> Numbers(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => [e.GetRawText()],
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Numbers(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(Numbers),
        _ => [],
    };
}
