using System.Globalization;
using System.Text.Json;
using Billing.Testing;
using Dapper;

namespace Billing.Invoicing.Infrastructure.Tests;

/// <summary>
/// An operator previews a period, starts it and cancels it from the terminal; and reads an invoice whose lines have a
/// tier flat fee and packages.
/// </summary>
public sealed class When_an_operator_previews_and_cancels_from_the_cli : IAsyncLifetime
{
    private RunHarness h = null!;
    private List<TestAccount> accounts = null!;
    private readonly Guid tiered = Guid.NewGuid();

    public async Task InitializeAsync()
    {
        h = await RunHarness.StartAsync("runpvcli");
        var db = h.Db.DataSource;
        var eur = await Catalogue.PlanAsync(db, "team", "EUR", 4900, ("seats", 1234.5m));
        var jpy = await Catalogue.PlanAsync(db, "team-jpy", "JPY", 1000, ("calls", 0.35m));
        accounts = Enumerable.Range(0, 6).Select(i => new TestAccount(Guid.NewGuid(), i % 2 == 0 ? eur : jpy, 19m,
            new Dictionary<string, decimal> { [i % 2 == 0 ? "seats" : "calls"] = 10 + i }, [])).ToList();
        // Calls: 1–100 at 0.10, then 0.05 plus a 5.00 flat fee; SMS in packages of 100 at 2.50.
        var tieredPlan = Guid.NewGuid();
        await Catalogue.PlanRawAsync(db, tieredPlan, "tiered", "EUR", 0, """
            [{"metric":"calls","model":"graduated","tiers":[{"up_to":100,"unit_price":"0.10"},{"up_to":null,"unit_price":"0.05","flat_fee":"5.00"}]},
             {"metric":"sms","model":"package","package_size":100,"package_price":"2.50"}]
            """);
        var tieredAccount = new TestAccount(tiered, new TestPlan(tieredPlan, "EUR", 0, []), 0m,
            new Dictionary<string, decimal> { ["calls"] = 150, ["sms"] = 350 }, []);
        await Catalogue.InsertAsync(db, [.. accounts, tieredAccount], RunHarness.Period);
    }

    public async Task DisposeAsync() => await h.DisposeAsync();

    // 100 × 0.10 + 50 × 0.05 + 5.00 = 17.50; ceil(350 / 100) = 4 packages × 2.50 = 10.00; no tax.
    private const long TieredTotal = 1000 + 250 + 500 + 1000;

    private static string Money(long minor, string currency) => currency == "JPY"
        ? $"JPY {minor.ToString("N0", CultureInfo.InvariantCulture)}"
        : $"{currency} {(minor / 100m).ToString("N2", CultureInfo.InvariantCulture)}";

    [Fact]
    public async Task Does_preview_as_money_start_cancel_and_show_readable_lines()
    {
        var eurTotal = accounts.Where(a => a.Plan.Currency == "EUR").Sum(Catalogue.ExpectedTotal) + TieredTotal;
        var jpyTotal = accounts.Where(a => a.Plan.Currency == "JPY").Sum(Catalogue.ExpectedTotal);

        var preview = await h.CliAsync("run", "preview", "--period", RunHarness.Period);
        Assert.True(preview.ExitCode == 0, preview.Stderr + preview.Stdout);
        Assert.Contains("7 invoices would be issued", preview.Stdout);
        Assert.Contains(Money(eurTotal, "EUR"), preview.Stdout);
        Assert.Contains(Money(jpyTotal, "JPY"), preview.Stdout);
        Assert.Contains("no completed run", preview.Stdout);
        Assert.Contains("accounts that would fail: 0", preview.Stdout);

        var json = await h.CliAsync("run", "preview", "--period", RunHarness.Period, "--output", "json");
        Assert.Equal(0, json.ExitCode);
        var totals = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("totals").EnumerateArray()
            .ToDictionary(t => t.GetProperty("currency").GetString()!, t => t.GetProperty("total_minor").GetInt64());
        Assert.Equal(new Dictionary<string, long> { ["EUR"] = eurTotal, ["JPY"] = jpyTotal }, totals);

        var help = await h.CliAsync("run", "preview", "--help");
        Assert.Contains("Examples:", help.Stdout);
        Assert.Contains("billing run preview --period 2026-10 --output json", help.Stdout);
        Assert.Contains("billing run cancel", (await h.CliAsync("run", "cancel", "--help")).Stdout);

        // Bad input: one line, exit code not 0, nothing written.
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        var before = await When_a_run_is_previewed.RowCountsAsync(conn);
        foreach (var (args, expected) in new (string[], string)[]
        {
            (["run", "preview", "--period", "2026-13"], "'2026-13' is not a period"),
            (["run", "preview", "--period", BillingPeriodNext()], "has not ended"),
            (["run", "cancel", "not-a-run"], "'not-a-run' is not a run id"),
            (["run", "cancel", Guid.NewGuid().ToString()], "HTTP 404"),
        })
        {
            var (code, stdout, stderr) = await h.CliAsync(args);
            Assert.NotEqual(0, code);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(expected, line);
            if (args[1] == "preview") Assert.Contains("period", line);
            Assert.Equal("", stdout.Trim());
        }
        Assert.NotEqual(0, (await h.CliAsync("run", "preview", "--period", RunHarness.Period, "--output", "xml")).ExitCode);
        Assert.Equal(before, await When_a_run_is_previewed.RowCountsAsync(conn));

        // Start, let it issue, cancel: the run waits for the issued invoices' email and ledger, then is cancelled.
        var runId = await h.StartRunAsync();
        await h.UntilSettledAsync(runId, 7);
        var cancel = await h.CliAsync("run", "cancel", runId.ToString());
        Assert.True(cancel.ExitCode == 0, cancel.Stderr);
        Assert.Contains($"run {runId} is cancelling", cancel.Stdout);
        await h.SimulateDownstreamAsync(runId);
        await Eventually.Until(() => h.ProgressAsync(runId), p => RunHarness.Status(p) == "cancelled", TimeSpan.FromMinutes(1));
        var again = await h.CliAsync("run", "cancel", runId.ToString());
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("HTTP 409", again.Stderr);
        Assert.Contains("already cancelled", again.Stderr);
        var status = await h.CliAsync("run", "status", runId.ToString());
        Assert.Contains("cancelled", status.Stdout);

        // The tier's flat fee and the packages have lines of their own; the usage lines add up to the total.
        var invoiceId = await conn.ExecuteScalarAsync<Guid>("select id from invoices where account_id = @tiered", new { tiered });
        Assert.Equal(TieredTotal, await conn.ExecuteScalarAsync<long>("select total_minor from invoices where id = @invoiceId", new { invoiceId }));
        var lines = (await conn.QueryAsync<(string Kind, string Description, decimal Quantity, decimal UnitPrice, long Amount)>(
            "select kind, description, quantity, unit_price, amount_minor from invoice_lines where invoice_id = @invoiceId order by line_no", new { invoiceId })).ToList();
        Assert.Contains(("tier", "Tier 2 (101 and above) flat fee", 1m, 5m, 500L), lines);
        Assert.Contains(("tier", "Tier 2 (101 and above)", 50m, 0.05m, 250L), lines);
        Assert.Contains(("tier", "4 packages of 100 × 2.50", 4m, 2.5m, 1000L), lines);
        var show = await h.CliAsync("invoice", "show", invoiceId.ToString());
        Assert.Equal(0, show.ExitCode);
        // Piped, the lines are tab-separated: #, kind, description, quantity, unit price, amount.
        foreach (var row in new[] { "\ttier\t  Tier 2 (101 and above) flat fee\t1\t5\t5.00\n", "\ttier\t  4 packages of 100 × 2.50\t4\t2.5\t10.00\n",
            "\tusage\tsms\t350\t\t10.00\n" })
            Assert.True(show.Stdout.Contains(row, StringComparison.Ordinal), row + "\n" + show.Stdout);
        Assert.Contains($"total {Billing.Vocabulary.MoneyText.Format(TieredTotal, "EUR")}", show.Stdout);
        Assert.DoesNotContain("minor units", show.Stdout);
    }

    private static string BillingPeriodNext() => Billing.Invoicing.BillingPeriod.Of(DateTimeOffset.UtcNow).Next().ToString();
}
