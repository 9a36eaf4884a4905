using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Testing;
using Dapper;

namespace Billing.Invoicing.Infrastructure.Tests;

/// <summary>
/// A preview over EUR, USD and JPY accounts, some with a broken plan, nothing to bill, no or an invalid billing email
/// or a suppressed address, against a previous period with a completed run; then the real run on the same data.
/// </summary>
public sealed class When_a_run_is_previewed : IAsyncLifetime
{
    private const int Accounts = 300;
    private static readonly string Previous = Billing.Invoicing.BillingPeriod.Parse(RunHarness.Period).Before().ToString();
    private RunHarness h = null!;
    private readonly List<TestAccount> good = [];
    private readonly List<Guid> broken = [];
    private readonly List<Guid> empty = [];
    private readonly Dictionary<Guid, string> mailProblems = [];
    private readonly Dictionary<string, long> previousTotals = new() { ["EUR"] = 123_456, ["JPY"] = 98_765 };

    public async Task InitializeAsync()
    {
        h = await RunHarness.StartAsync("runpreview");
        var db = h.Db.DataSource;
        var eur = await Catalogue.PlanAsync(db, "pro-eur", "EUR", 1900, ("api_calls", 0.0125m), ("storage_gb", 0.023m));
        var usd = await Catalogue.PlanAsync(db, "metered-usd", "USD", 0, ("sms", 0.0075m));
        var jpy = await Catalogue.PlanAsync(db, "basic-jpy", "JPY", 500, ("calls", 0.35m));
        var brokenPlan = Guid.NewGuid();
        await Catalogue.PlanRawAsync(db, brokenPlan, "broken", "EUR", 500, """[{"metric":"api_calls","model":"per_unit"}]""");
        var plans = new[] { eur, usd, jpy };
        var random = new Random(2026_10_02);
        var all = new List<TestAccount>();
        for (var i = 0; i < Accounts; i++)
        {
            if (i % 40 == 5)
            {
                var a = new TestAccount(Guid.NewGuid(), new TestPlan(brokenPlan, "EUR", 500, [("api_calls", 0m)]), 19m,
                    new Dictionary<string, decimal> { ["api_calls"] = 10 }, []);
                all.Add(a);
                broken.Add(a.Id);
                continue;
            }
            if (i % 50 == 7)
            {
                var a = new TestAccount(Guid.NewGuid(), usd, 0m, [], []);
                all.Add(a);
                empty.Add(a.Id);
                continue;
            }
            var plan = plans[i % 3];
            var usage = plan.Components.ToDictionary(c => c.Metric, _ => random.Next(1, 50_000) + (i % 2 == 0 ? 0.5m : 0m));
            var charges = i % 30 == 11 ? new List<(decimal, decimal)> { (2m, 149.995m) } : [];
            var account = new TestAccount(Guid.NewGuid(), plan, new[] { 0m, 7.5m, 19m, 20m }[i % 4], usage, charges);
            all.Add(account);
            good.Add(account);
        }
        await Catalogue.InsertAsync(db, all, RunHarness.Period);

        await using var conn = await db.OpenConnectionAsync();
        // Mail problems on invoices that are still issued: no address, a malformed one, a suppressed one (stored lower-cased).
        mailProblems[good[0].Id] = RunPreviewQuery.Reasons.NoBillingEmail;
        mailProblems[good[1].Id] = RunPreviewQuery.Reasons.InvalidBillingEmail;
        mailProblems[good[2].Id] = RunPreviewQuery.Reasons.Suppressed;
        await conn.ExecuteAsync("""
            update accounts set billing_email = '' where id = @none;
            update accounts set billing_email = 'not an address' where id = @invalid;
            update accounts set billing_email = '  Bounced.Customer@Example.TEST ' where id = @suppressed;
            insert into email_suppressions (email, reason) values ('bounced.customer@example.test', 'hard_bounce');
            """, new { none = good[0].Id, invalid = good[1].Id, suppressed = good[2].Id });

        // The previous period was invoiced by a completed run (EUR and JPY only).
        var previousRun = Guid.NewGuid();
        await conn.ExecuteAsync("insert into invoice_runs (id, period, status, completed_at) values (@previousRun, @Previous, 'completed', now())",
            new { previousRun, Previous });
        var n = 0;
        foreach (var (currency, total) in previousTotals)
        {
            var account = good.First(a => a.Plan.Currency == currency);
            await conn.ExecuteAsync("""
                insert into invoices (id, run_id, account_id, period, issuer, number, currency, subtotal_minor, tax_rate, tax_minor, total_minor, due_at)
                values (gen_random_uuid(), @previousRun, @account, @Previous, 'earlier', @number, @currency, @total, 0, 0, @total, current_date)
                """, new { previousRun, account = account.Id, Previous, number = $"EARLIER-{++n}", currency, total });
        }
    }

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task Does_predict_the_runs_totals_and_failures_and_writes_nothing()
    {
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        var before = await RowCountsAsync(conn);

        var response = await h.Http.PostAsJsonAsync("/api/runs/preview", new { period = RunHarness.Period });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var preview = JsonDocument.Parse(text).RootElement;
        Assert.Equal(before, await RowCountsAsync(conn));

        // Expected from the rules, per currency.
        var expected = good.GroupBy(a => a.Plan.Currency).ToDictionary(g => g.Key, g => (Invoices: g.Count(), Total: g.Sum(Catalogue.ExpectedTotal)));
        Assert.Equal(Accounts, preview.GetProperty("billable_accounts").GetInt32());
        Assert.Equal(good.Count, preview.GetProperty("invoices").GetInt32());
        Assert.Equal(empty.Count, preview.GetProperty("skipped").GetInt32());
        Assert.Equal(0, preview.GetProperty("already_invoiced").GetInt32());
        var totals = preview.GetProperty("totals").EnumerateArray().ToDictionary(t => t.GetProperty("currency").GetString()!);
        Assert.Equal(["EUR", "JPY", "USD"], totals.Keys.Order());
        foreach (var (currency, e) in expected)
        {
            var t = totals[currency];
            Assert.Equal(e.Invoices, t.GetProperty("invoices").GetInt32());
            Assert.Equal(e.Total, t.GetProperty("total_minor").GetInt64());
            var exponent = currency == "JPY" ? 0 : 2;
            Assert.Equal((e.Total / (decimal)Math.Pow(10, exponent)).ToString("F" + exponent, System.Globalization.CultureInfo.InvariantCulture),
                t.GetProperty("total").GetString());
            var previous = previousTotals.GetValueOrDefault(currency);
            Assert.Equal(previous, t.GetProperty("previous_total_minor").GetInt64());
            Assert.Equal(e.Total - previous, t.GetProperty("change_minor").GetInt64());
        }
        Assert.Equal(Previous, preview.GetProperty("previous").GetProperty("period").GetString());

        // The terminal shows the same comparison as money, a currency new this period against a previous total of zero.
        var cli = await h.CliAsync("run", "preview", "--period", RunHarness.Period);
        Assert.True(cli.ExitCode == 0, cli.Stderr + cli.Stdout);
        Assert.Contains($"previous ({Previous})", cli.Stdout);
        foreach (var (currency, e) in expected)
        {
            var previous = previousTotals.GetValueOrDefault(currency);
            Assert.Contains(Billing.Vocabulary.MoneyText.Format(previous, currency), cli.Stdout);
            var change = e.Total - previous;
            Assert.Contains($"{currency} {(change > 0 ? "+" : "")}{Billing.Vocabulary.MoneyText.Amount(change, currency)}", cli.Stdout);
        }
        Assert.DoesNotContain("minor units", cli.Stdout);
        Assert.Equal(before, await RowCountsAsync(conn));

        var failing = preview.GetProperty("failing");
        Assert.Equal(broken.Count + mailProblems.Count, failing.GetProperty("accounts").GetInt32());
        Assert.Equal(broken.Count, failing.GetProperty("by_reason").GetProperty(RunPreviewQuery.Reasons.PlanError).GetInt32());
        var listed = failing.GetProperty("listed").EnumerateArray()
            .ToDictionary(f => f.GetProperty("account_id").GetGuid(), f => (Reason: f.GetProperty("reason").GetString(), Detail: f.GetProperty("detail").GetString()!));
        foreach (var id in broken) Assert.Equal(RunPreviewQuery.Reasons.PlanError, listed[id].Reason);
        foreach (var (id, reason) in mailProblems) Assert.Equal(reason, listed[id].Reason);
        Assert.Contains("bounced.customer@example.test", listed[good[2].Id].Detail);
        Assert.Contains("unit_price", listed[broken[0]].Detail);

        // The real run on the same data issues exactly what the preview said.
        var runId = await h.StartRunAsync();
        var settled = await h.UntilSettledAsync(runId, Accounts);
        Assert.Equal(good.Count, RunHarness.Count(settled, "generated"));
        Assert.Equal(broken.Count, RunHarness.Count(settled, "failed"));
        var runTotals = settled.GetProperty("totals").EnumerateArray()
            .ToDictionary(t => t.GetProperty("currency").GetString()!, t => (t.GetProperty("invoices").GetInt32(), t.GetProperty("total_minor").GetInt64()));
        Assert.Equal(totals.ToDictionary(t => t.Key, t => (t.Value.GetProperty("invoices").GetInt32(), t.Value.GetProperty("total_minor").GetInt64())), runTotals);

        // Once invoiced, a preview of the period says so and predicts nothing more.
        var again = JsonDocument.Parse(await (await h.Http.PostAsJsonAsync("/api/runs/preview", new { period = RunHarness.Period })).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(good.Count, again.GetProperty("already_invoiced").GetInt32());
        Assert.Equal(0, again.GetProperty("invoices").GetInt32());
    }

    /// <summary>Rows of every table of the database, by table.</summary>
    internal static async Task<string> RowCountsAsync(Npgsql.NpgsqlConnection conn) =>
        string.Join(",", await conn.QueryAsync<string>("""
            select table_name || '=' || (xpath('/row/c/text()', query_to_xml(format('select count(*) as c from %I', table_name), false, true, '')))[1]::text
            from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name
            """));
}
