using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Billing.Invoicing.Infrastructure.Tests;

/// <summary>One small run whose answers are checked against the admin API's contract.</summary>
public sealed class ApiContractRun : IAsyncLifetime
{
    /// <summary>A price below a millionth of a unit: written as a JSON number it came out as 5.00500E-7.</summary>
    public const decimal TinyPrice = 0.000000500500m;

    public RunHarness H { get; private set; } = null!;
    public Guid RunId { get; private set; }
    public Guid InvoiceId { get; private set; }
    public Guid AccountId { get; private set; }

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
        AccountId = page.GetProperty("invoices")[0].GetProperty("account_id").GetGuid();
        // The ledger entry accounting-sync would post for the invoice (this harness runs no accounting-sync), so the
        // ledger export has an entry to describe.
        await using var conn = await db.OpenConnectionAsync();
        await using var post = new Npgsql.NpgsqlCommand("""
            with entry as (
                insert into journal_entries (id, source_type, source_id, invoice_id, account_id, currency, posted_at, trace_id)
                select gen_random_uuid(), 'invoice', id::text, id, account_id, currency, now(), null from invoices where id = $1
                returning id)
            insert into journal_lines (entry_id, line_no, ledger_account, debit_minor, credit_minor, description)
            select entry.id, l.no, l.account, l.debit, l.credit, l.description from entry,
                (values (1, 'accounts_receivable', 2261, 0, 'invoice'), (2, 'revenue:subscription', 0, 2261, 'base fee')) as l(no, account, debit, credit, description)
            """, conn) { Parameters = { new() { Value = InvoiceId } } };
        await post.ExecuteNonQueryAsync();
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

    /// <summary>The reads a small run can answer, each with the operation of openapi.json that describes it.</summary>
    public static TheoryData<string, string> Reads() => new()
    {
        { "/api/whoami", "/api/whoami" },
        { "/api/runs", "/api/runs" },
        { "/api/runs/{run}", "/api/runs/{id}" },
        { "/api/runs/{run}?failed=true", "/api/runs/{id}" },
        { "/api/invoices?run_id={run}", "/api/invoices" },
        { "/api/invoices?account_id={account}", "/api/invoices" },
        { "/api/invoices/{invoice}", "/api/invoices/{id}" },
        { "/api/invoices/{invoice}/deliveries", "/api/invoices/{id}/deliveries" },
        { "/api/plans", "/api/plans" },
        { "/api/plans/tiny-eur", "/api/plans/{idOrCode}" },
        { "/api/accounts", "/api/accounts" },
        { "/api/accounts/{account}", "/api/accounts/{id}" },
        { "/api/accounts/{account}/history", "/api/accounts/{id}/history" },
        { "/api/accounts/{account}/charges", "/api/accounts/{id}/charges" },
        { "/api/suppressions", "/api/suppressions" },
        { "/api/errors", "/api/errors" },
        { "/api/dlq", "/api/dlq" },
        { "/api/dlq/audit", "/api/dlq/audit" },
        { "/admin/reconcile", "/admin/reconcile" },
        { "/api/keys", "/api/keys" },
        // The ledger export is by posting month: the entries of the run were posted this month.
        { "/api/ledger/export?format=json&period={posted}", "/api/ledger/export" },
        { "/api/ledger/export?format=summary&period={posted}", "/api/ledger/export" },
    };

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task Answers_a_read_as_its_openapi_schema_says(string path, string operation)
    {
        var url = path.Replace("{run}", run.RunId.ToString(), StringComparison.Ordinal)
            .Replace("{invoice}", run.InvoiceId.ToString(), StringComparison.Ordinal)
            .Replace("{account}", run.AccountId.ToString(), StringComparison.Ordinal)
            .Replace("{posted}", DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        using var response = await run.H.Http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var answer = JsonDocument.Parse(body);

        var problems = OpenApiSchemas.Problems(OpenApiSchemas.Committed.Answer("get", operation), answer.RootElement);

        Assert.True(problems.Count == 0, $"GET {url} does not match the {operation} answer of openapi.json:\n{string.Join('\n', problems)}\n{body}");
    }

    [Fact]
    public async Task Answers_a_preview_as_its_openapi_schema_says()
    {
        using var response = await run.H.Http.PostAsJsonAsync("/api/runs/preview", new { period = "2026-11" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, body);
        using var answer = JsonDocument.Parse(body);

        var problems = OpenApiSchemas.Problems(OpenApiSchemas.Committed.Answer("post", "/api/runs/preview"), answer.RootElement);

        Assert.True(problems.Count == 0, string.Join('\n', problems) + "\n" + body);
    }

    /// <summary>The ledger export's JSON is one of two shapes; each real one is valid, and a changed one is not.</summary>
    [Theory]
    [InlineData("json", "an entry with an undocumented field")]
    [InlineData("summary", "a summary without trial_balance_ok")]
    public async Task Finds_a_ledger_export_that_differs_from_its_schema(string format, string change)
    {
        var schema = OpenApiSchemas.Committed.Answer("get", "/api/ledger/export");
        var posted = DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var real = JsonNode.Parse(await run.H.Http.GetStringAsync($"/api/ledger/export?format={format}&period={posted}"))!;
        using (var valid = JsonDocument.Parse(real.ToJsonString())) Assert.Empty(OpenApiSchemas.Problems(schema, valid.RootElement));

        if (real is JsonArray entries) entries[0]!.AsObject()["vat_code"] = "DE19";
        else real.AsObject().Remove("trial_balance_ok");
        using var changed = JsonDocument.Parse(real.ToJsonString());
        Assert.True(OpenApiSchemas.Problems(schema, changed.RootElement).Count > 0, change);
    }

    /// <summary>The check bites: a real invoice with a field the document does not describe, or without one it
    /// requires, or with a number where it says string, is not valid.</summary>
    [Theory]
    [InlineData("an undocumented field", "/discount_minor")]
    [InlineData("an undocumented field on a line", "/lines/0/vat_code")]
    [InlineData("no total_minor", "total_minor")]
    [InlineData("no quantity on a line", "quantity")]
    [InlineData("the tax rate as a number", "/tax_rate")]
    public async Task Finds_an_answer_that_differs_from_its_schema(string change, string named)
    {
        var schema = OpenApiSchemas.Committed.Answer("get", "/api/invoices/{id}");
        var invoice = JsonNode.Parse(await run.H.Http.GetStringAsync($"/api/invoices/{run.InvoiceId}"))!.AsObject();
        using (var real = JsonDocument.Parse(invoice.ToJsonString())) Assert.Empty(OpenApiSchemas.Problems(schema, real.RootElement));

        var line = invoice["lines"]![0]!.AsObject();
        switch (change)
        {
            case "an undocumented field": invoice["discount_minor"] = 0; break;
            case "an undocumented field on a line": line["vat_code"] = "S"; break;
            case "no total_minor": Assert.True(invoice.Remove("total_minor")); break;
            case "no quantity on a line": Assert.True(line.Remove("quantity")); break;
            case "the tax rate as a number": invoice["tax_rate"] = 19; break;
        }
        using var changed = JsonDocument.Parse(invoice.ToJsonString());

        var problems = OpenApiSchemas.Problems(schema, changed.RootElement);

        Assert.True(problems.Any(p => p.Contains(named, StringComparison.Ordinal)), $"{change}: expected a problem naming {named}, got:\n{string.Join('\n', problems)}");
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
