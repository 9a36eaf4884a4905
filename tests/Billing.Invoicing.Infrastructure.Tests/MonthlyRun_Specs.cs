using System.Net;
using System.Net.Http.Json;
using Billing.Contracts;
using Billing.Testing;
using Dapper;

namespace Billing.Invoicing.Infrastructure.Tests;

/// <summary>One run over 2,000 accounts on the real servers, followed by a rerun and redelivered requests.</summary>
public sealed class When_a_run_covers_2000_accounts : IAsyncLifetime
{
    private const int Accounts = 2000;
    private RunHarness h = null!;
    private List<TestAccount> accounts = null!;

    public async Task InitializeAsync()
    {
        h = await RunHarness.StartAsync("run2k");
        var db = h.Db.DataSource;
        var eur = await Catalogue.PlanAsync(db, "pro-eur", "EUR", 1900, ("api_calls", 0.0125m), ("storage_gb", 0.023m));
        var usd = await Catalogue.PlanAsync(db, "metered-usd", "USD", 0, ("sms", 0.0075m));
        var jpy = await Catalogue.PlanAsync(db, "basic-jpy", "JPY", 500, ("calls", 0.35m));
        var plans = new[] { eur, usd, jpy };
        var taxes = new[] { 0m, 7.5m, 19m, 20m };
        var random = new Random(20261031);
        accounts = Enumerable.Range(0, Accounts).Select(i =>
        {
            var plan = plans[i % 3];
            var usage = new Dictionary<string, decimal>();
            // Every 10th account of a plan with a base fee used nothing: it is billed its base fee only.
            var zeroUsage = i % 10 == 0 && plan.BaseFeeMinor > 0;
            if (!zeroUsage)
                foreach (var (metric, _) in plan.Components)
                    usage[metric] = random.Next(1, 200_000) + (i % 2 == 0 ? 0.5m : 0m);
            var charges = i % 50 == 7 ? new List<(decimal, decimal)> { (2m, 149.995m) } : [];
            return new TestAccount(Guid.NewGuid(), plan, taxes[i % 4], usage, charges);
        }).ToList();
        await Catalogue.InsertAsync(db, accounts, RunHarness.Period);
    }

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task Does_produce_exactly_one_invoice_per_account_with_exact_totals_gapless_numbers_and_one_completion()
    {
        var runId = await h.StartRunAsync();
        var settled = await h.UntilSettledAsync(runId, Accounts, TimeSpan.FromMinutes(10));
        Assert.Equal(Accounts, RunHarness.Count(settled, "generated"));
        Assert.Equal(0, RunHarness.Count(settled, "skipped"));
        Assert.Equal(0, RunHarness.Count(settled, "failed"));

        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        var stored = (await conn.QueryAsync<(Guid AccountId, long Total, string Currency, string Number, string? TraceId, Guid? RunId)>(
            "select account_id, total_minor, currency, number, trace_id, run_id from invoices")).ToList();
        Assert.Equal(Accounts, stored.Count);
        var byAccount = stored.ToDictionary(s => s.AccountId);
        foreach (var a in accounts)
        {
            var invoice = byAccount[a.Id];
            Assert.True(Catalogue.ExpectedTotal(a) == invoice.Total, $"account {a.Id} ({a.Plan.Currency}): expected {Catalogue.ExpectedTotal(a)}, stored {invoice.Total}");
            Assert.Equal(a.Plan.Currency, invoice.Currency);
            Assert.Equal(runId, invoice.RunId);
        }

        // Zero usage: the base fee is the only line.
        var zero = accounts.First(a => a.Usage.Count == 0 && a.Charges.Count == 0);
        var zeroLines = (await conn.QueryAsync<(string Kind, long Amount)>(
            "select l.kind, l.amount_minor from invoice_lines l join invoices i on i.id = l.invoice_id where i.account_id = @id", new { id = zero.Id })).ToList();
        Assert.Equal([("base_fee", zero.Plan.BaseFeeMinor)], zeroLines);

        // Numbers: INV-2026-000001 … INV-2026-002000, each once.
        Assert.Equal(Enumerable.Range(1, Accounts).Select(n => $"INV-2026-{n:000000}"), stored.Select(s => s.Number).Order(StringComparer.Ordinal));
        // One trace per invoice.
        Assert.All(stored, s => Assert.Matches("^[0-9a-f]{32}$", s.TraceId));
        Assert.Equal(Accounts, stored.Select(s => s.TraceId).Distinct().Count());

        var started = Assert.Single(h.Observed.Started);
        Assert.Equal((runId, Accounts), (started.RunId, started.Accounts));

        // Progress over the API.
        Assert.Equal(Accounts, RunHarness.Count(settled, "accounts"));
        Assert.True(settled.GetProperty("invoices_per_second").GetDouble() > 0);
        Assert.Equal(RunHarness.Period, settled.GetProperty("run").GetProperty("period").GetString());
        Assert.Equal("running", RunHarness.Status(settled));

        // The run completes once downstream stages are done (written as the mailer and ledger would).
        await h.SimulateDownstreamAsync(runId);
        var completed = await Eventually.UntilValue(() => h.Observed.Completed.ToList(), c => c.Count > 0, TimeSpan.FromMinutes(2));
        var done = Assert.Single(completed);
        Assert.Equal(runId, done.RunId);
        Assert.Equal(Accounts, done.Invoices);
        Assert.Equal(Accounts, done.Emailed);
        Assert.Equal(Accounts, done.Synced);
        foreach (var currency in new[] { "EUR", "USD", "JPY" })
        {
            var expected = accounts.Where(a => a.Plan.Currency == currency).ToList();
            var total = Assert.Single(done.Totals, t => t.Currency == currency);
            Assert.Equal(expected.Count, total.Invoices);
            Assert.Equal(expected.Sum(Catalogue.ExpectedTotal), total.TotalMinor);
        }
        var progress = await h.ProgressAsync(runId);
        Assert.Equal("completed", RunHarness.Status(progress));

        // Running the same period again is refused and writes nothing.
        var rerun = await h.Http.PostAsJsonAsync("/api/runs", new { period = RunHarness.Period });
        Assert.Equal(HttpStatusCode.Conflict, rerun.StatusCode);
        Assert.Equal("application/problem+json", rerun.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"period\"", await rerun.Content.ReadAsStringAsync());
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("select count(*) from invoice_runs"));

        // Redelivered requests add nothing: each announces the existing invoice again.
        var finalizedBefore = h.Observed.Finalized.Count;
        var again = accounts.Take(100).ToList();
        foreach (var a in again) await h.Bus.Publish(new GenerateInvoice(runId, a.Id, RunHarness.Period));
        foreach (var a in again.Take(20)) await h.Bus.Publish(new GenerateInvoice(runId, a.Id, RunHarness.Period));
        await Eventually.UntilValue(() => h.Observed.Finalized.Count, n => n >= finalizedBefore + 120, TimeSpan.FromMinutes(2));
        Assert.Equal(Accounts, await conn.ExecuteScalarAsync<int>("select count(*) from invoices"));
        Assert.Equal(Accounts, await conn.ExecuteScalarAsync<int>("select next_value - 1 from invoice_number_sequences where issuer = 'default'"));
        var announced = h.Observed.Finalized.Skip(finalizedBefore).ToList();
        Assert.All(announced, f => Assert.Equal(byAccount[f.AccountId].Number, f.InvoiceNumber));

        // Completion was announced once, also after the redelivered requests.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(h.Observed.Completed);
    }
}
