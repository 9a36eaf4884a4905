using System.Net.Http.Json;
using System.Text.Json;
using Billing.Testing;
using Dapper;

namespace Billing.Invoicing.Infrastructure.Tests;

/// <summary>
/// Eight concurrent consumers, some requests failing validation (a broken plan) and some failing inside the
/// storing transaction (a trigger), some accounts with nothing to bill; then the causes are fixed and the failed
/// requests retried, twice.
/// </summary>
public sealed class When_requests_fail_during_a_run_and_are_retried : IAsyncLifetime
{
    private const int Accounts = 600;
    private RunHarness h = null!;
    private readonly List<TestAccount> billable = [];
    private readonly List<Guid> broken = [];
    private readonly List<Guid> forced = [];
    private readonly List<Guid> empty = [];
    private readonly Guid brokenPlan = Guid.NewGuid();

    public async Task InitializeAsync()
    {
        h = await RunHarness.StartAsync("runfail", new Dictionary<string, string?> { ["Generation__ConcurrentMessageLimit"] = "8" });
        var db = h.Db.DataSource;
        var good = await Catalogue.PlanAsync(db, "good", "EUR", 1000, ("api_calls", 0.01m));
        var nothing = await Catalogue.PlanAsync(db, "usage-only", "USD", 0, ("sms", 0.0075m));
        // A per_unit component without its unit_price: can never be priced until the plan is fixed.
        await Catalogue.PlanRawAsync(db, brokenPlan, "broken", "EUR", 500, """[{"metric":"api_calls","model":"per_unit"}]""");
        var brokenRef = new TestPlan(brokenPlan, "EUR", 500, [("api_calls", 0.02m)]);
        var all = new List<TestAccount>();
        for (var i = 0; i < Accounts; i++)
        {
            var usage = new Dictionary<string, decimal> { ["api_calls"] = 1000 + i };
            if (i % 25 == 3) { var a = new TestAccount(Guid.NewGuid(), brokenRef, 10m, usage, []); all.Add(a); broken.Add(a.Id); billable.Add(a); }
            else if (i % 100 == 50) { var a = new TestAccount(Guid.NewGuid(), nothing, 0m, [], []); all.Add(a); empty.Add(a.Id); }
            else
            {
                var a = new TestAccount(Guid.NewGuid(), good, 21m, usage, []);
                all.Add(a);
                billable.Add(a);
                if (i % 30 == 1) forced.Add(a.Id);
            }
        }
        await Catalogue.InsertAsync(db, all, RunHarness.Period);
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            create table forced_failure (account_id uuid primary key);
            create function fail_forced() returns trigger language plpgsql as $$
            begin
                if exists (select 1 from forced_failure where account_id = new.account_id) then
                    raise exception 'forced failure for account %', new.account_id;
                end if;
                return new;
            end $$;
            create trigger invoices_fail_forced before insert on invoices for each row execute function fail_forced();
            """);
        await conn.ExecuteAsync("insert into forced_failure select unnest(@ids)", new { ids = forced.ToArray() });
    }

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task Does_number_gaplessly_list_failures_and_retry_them_without_duplicates()
    {
        var runId = await h.StartRunAsync();
        var failedCount = broken.Count + forced.Count;
        var settled = await h.UntilSettledAsync(runId, Accounts);
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        Assert.Equal(billable.Count - failedCount, RunHarness.Count(settled, "generated"));
        Assert.Equal(empty.Count, RunHarness.Count(settled, "skipped"));
        Assert.Equal(failedCount, RunHarness.Count(settled, "failed"));
        await AssertGaplessAsync(conn, billable.Count - failedCount);
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("select count(*) from invoices where account_id = any(@ids)", new { ids = empty.ToArray() }));
        Assert.Equal(empty.Count, h.Observed.Skipped.Count(s => s.RunId == runId));

        // The failed requests are listed with their reasons and trace ids.
        var withFailures = await h.ProgressAsync(runId, failed: true);
        var failures = withFailures.GetProperty("failures").EnumerateArray().ToList();
        Assert.Equal(failedCount, failures.Count);
        Assert.All(failures, f => Assert.Equal("generate", f.GetProperty("stage").GetString()));
        Assert.All(failures.Where(f => broken.Contains(f.GetProperty("account_id").GetGuid())),
            f => Assert.Contains("unit_price", f.GetProperty("reason").GetString()));
        Assert.All(failures.Where(f => forced.Contains(f.GetProperty("account_id").GetGuid())),
            f => Assert.Contains("forced failure", f.GetProperty("reason").GetString()));
        Assert.All(failures, f => Assert.Matches("^[0-9a-f]{32}$", f.GetProperty("trace_id").GetString()));

        // Downstream done for what exists: the run waits for attention rather than completing.
        await h.SimulateDownstreamAsync(runId);
        await Eventually.Until(() => h.ProgressAsync(runId), p => RunHarness.Status(p) == "needs_attention", TimeSpan.FromMinutes(1));
        Assert.Empty(h.Observed.Completed);

        // Fix the causes and retry, twice in a row: each account still gets exactly one invoice.
        await conn.ExecuteAsync("update plans set components = '[{\"metric\":\"api_calls\",\"model\":\"per_unit\",\"unit_price\":\"0.02\"}]' where id = @brokenPlan", new { brokenPlan });
        await conn.ExecuteAsync("delete from forced_failure");
        var retry = await h.Http.PostAsync($"/api/runs/{runId}/retry-failed", null);
        var retried = JsonDocument.Parse(await retry.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(failedCount, retried.GetProperty("retried").GetInt32());
        await h.Http.PostAsync($"/api/runs/{runId}/retry-failed", null);

        var after = await Eventually.Until(() => h.ProgressAsync(runId),
            p => RunHarness.Count(p, "generated") == billable.Count && RunHarness.Count(p, "failed") == 0, TimeSpan.FromMinutes(3));
        Assert.Equal(empty.Count, RunHarness.Count(after, "skipped"));
        await Task.Delay(TimeSpan.FromSeconds(2)); // the second retry's requests are handled too
        await AssertGaplessAsync(conn, billable.Count);
        var totals = (await conn.QueryAsync<(Guid, long)>("select account_id, total_minor from invoices")).ToDictionary(r => r.Item1, r => r.Item2);
        foreach (var a in billable) Assert.Equal(Catalogue.ExpectedTotal(a), totals[a.Id]);

        await h.SimulateDownstreamAsync(runId);
        var completed = await Eventually.UntilValue(() => h.Observed.Completed.ToList(), c => c.Count > 0, TimeSpan.FromMinutes(1));
        var done = Assert.Single(completed);
        Assert.Equal(billable.Count, done.Invoices);
        Assert.Equal(empty.Count, done.Skipped);
        Assert.Equal(0, done.Failed);
        Assert.Equal(billable.Sum(Catalogue.ExpectedTotal), Assert.Single(done.Totals).TotalMinor);
        Assert.Equal("completed", RunHarness.Status(await h.ProgressAsync(runId)));

        // An email the mailer could not send counts as a failure of the email stage until a later send succeeds.
        var invoice = h.Observed.Finalized.First(f => f.RunId == runId);
        await conn.ExecuteAsync("update invoices set email_status = 'failed' where id = @InvoiceId", invoice);
        await h.Bus.Publish(new Billing.Contracts.InvoiceEmailNotSent(invoice.InvoiceId, runId, invoice.AccountId, "failed", "554 rejected"));
        var emailFailure = await Eventually.Until(() => h.ProgressAsync(runId, failed: true), p => RunHarness.Count(p, "failed") == 1, TimeSpan.FromMinutes(1));
        var listed = Assert.Single(emailFailure.GetProperty("failures").EnumerateArray());
        Assert.Equal(("email", invoice.InvoiceId), (listed.GetProperty("stage").GetString(), listed.GetProperty("invoice_id").GetGuid()));
        Assert.Contains("554 rejected", listed.GetProperty("reason").GetString());
        await conn.ExecuteAsync("update invoices set email_status = 'sent' where id = @InvoiceId", invoice);
        Assert.Equal(0, RunHarness.Count(await h.ProgressAsync(runId), "failed"));
        Assert.Single(h.Observed.Completed);
    }

    private static async Task AssertGaplessAsync(Npgsql.NpgsqlConnection conn, int expected)
    {
        var numbers = (await conn.QueryAsync<string>("select number from invoices order by number")).ToList();
        Assert.Equal(Enumerable.Range(1, expected).Select(n => $"INV-2026-{n:000000}"), numbers);
        Assert.Equal(expected, await conn.ExecuteScalarAsync<int>("select next_value - 1 from invoice_number_sequences where issuer = 'default'"));
        Assert.Equal(expected, await conn.ExecuteScalarAsync<int>("select count(distinct account_id) from invoices"));
    }
}
