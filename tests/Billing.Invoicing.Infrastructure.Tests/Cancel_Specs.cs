using System.Net;
using System.Text.Json;
using Billing.Contracts;
using Billing.Testing;
using Dapper;

namespace Billing.Invoicing.Infrastructure.Tests;

/// <summary>A run cancelled while the generator is still issuing invoices (kept slow: two at a time, small commits).</summary>
public sealed class When_a_run_is_cancelled_midway : IAsyncLifetime
{
    private const int Accounts = 3000;
    private RunHarness h = null!;
    private List<TestAccount> accounts = null!;

    public async Task InitializeAsync()
    {
        h = await RunHarness.StartAsync("runcancel", new Dictionary<string, string?>
        {
            ["Generation__ConcurrentMessageLimit"] = "2",
            ["Generation__WriteBatchSize"] = "2",
        });
        var eur = await Catalogue.PlanAsync(h.Db.DataSource, "pro-eur", "EUR", 1900, ("api_calls", 0.0125m));
        var jpy = await Catalogue.PlanAsync(h.Db.DataSource, "basic-jpy", "JPY", 500, ("calls", 0.35m));
        accounts = Enumerable.Range(0, Accounts).Select(i => new TestAccount(Guid.NewGuid(), i % 2 == 0 ? eur : jpy, 19m,
            new Dictionary<string, decimal> { [i % 2 == 0 ? "api_calls" : "calls"] = 1000 + i }, [])).ToList();
        await Catalogue.InsertAsync(h.Db.DataSource, accounts, RunHarness.Period);
    }

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task Does_issue_nothing_after_the_cancel_and_ends_cancelled_once_the_issued_invoices_are_done()
    {
        var runId = await h.StartRunAsync();
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        await Eventually.Until(() => conn.ExecuteScalarAsync<int>("select count(*)::int from invoices"), n => n >= 20, TimeSpan.FromMinutes(2));

        var response = await h.Http.PostAsync($"/api/runs/{runId}/cancel", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        Assert.Equal("cancelling", JsonDocument.Parse(body).RootElement.GetProperty("status").GetString());
        // The cancel waited for every commit holding the run: what exists now is all the run will ever issue.
        var issuedAtCancel = await conn.ExecuteScalarAsync<int>("select count(*)::int from invoices");

        // Every request still queued is consumed (acknowledged and skipped), none dead-lettered.
        // Counted by the broker now, not by the management statistics, which may still show the queue from before the fan-out.
        await Eventually.Until(() => h.Vhost.ReadyNowAsync("generate-invoice"), n => n == 0, TimeSpan.FromMinutes(3));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var issued = await conn.ExecuteScalarAsync<int>("select count(*)::int from invoices");
        Assert.Equal(issuedAtCancel, issued);
        Assert.True(issued < Accounts, $"{issued} of {Accounts} issued: the cancel came too late to show anything");
        var errors = await h.Vhost.QueueAsync("generate-invoice_error");
        Assert.True(errors is null || errors.Value.GetProperty("messages").GetInt32() == 0);

        // No half-made invoice: each has its lines adding up to its subtotal and the total the rules give.
        var stored = (await conn.QueryAsync<(Guid AccountId, long Subtotal, long Total, string Number, long Lines)>("""
            select i.account_id, i.subtotal_minor, i.total_minor, i.number,
                   (select coalesce(sum(amount_minor), 0)::bigint from invoice_lines l where l.invoice_id = i.id and l.kind <> 'tier')
            from invoices i
            """)).ToList();
        var byId = accounts.ToDictionary(a => a.Id);
        Assert.All(stored, s =>
        {
            Assert.Equal(s.Subtotal, s.Lines);
            Assert.Equal(Catalogue.ExpectedTotal(byId[s.AccountId]), s.Total);
        });
        // Numbers stay gapless, and refused requests took none.
        var year = RunHarness.Period[..4];
        Assert.Equal(Enumerable.Range(1, issued).Select(n => $"INV-{year}-{n:D6}"), stored.Select(s => s.Number).Order(StringComparer.Ordinal));
        Assert.Equal(issued + 1, await conn.ExecuteScalarAsync<long>("select next_value from invoice_number_sequences where issuer = 'default'"));
        Assert.Equal(issued, await conn.ExecuteScalarAsync<int>(
            "select count(*)::int from run_accounts where run_id = @runId and state = 'generated'", new { runId }));

        // The issued invoices still have to be emailed and synced: the run waits for them.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var waiting = await h.ProgressAsync(runId);
        Assert.Equal("cancelling", RunHarness.Status(waiting));

        await h.SimulateDownstreamAsync(runId);
        var final = await Eventually.Until(() => h.ProgressAsync(runId), p => RunHarness.Status(p) == "cancelled", TimeSpan.FromMinutes(1));
        Assert.Equal(issued, RunHarness.Count(final, "generated"));
        Assert.Equal(issued, RunHarness.Count(final, "emailed"));
        Assert.Equal(issued, RunHarness.Count(final, "synced"));
        Assert.Equal(RunHarness.Count(final, "accounts") - issued, RunHarness.Count(final, "not_issued"));
        Assert.Equal(JsonValueKind.String, final.GetProperty("run").GetProperty("completed_at").ValueKind);
        Assert.Equal("ops", final.GetProperty("run").GetProperty("cancelled_by").GetString());
        Assert.Empty(h.Observed.Completed);

        // A request of the cancelled run arriving later (a redelivery, a retry) is acknowledged and skipped.
        var late = accounts.First(a => !stored.Any(s => s.AccountId == a.Id));
        await h.Bus.Publish(new GenerateInvoice(runId, late.Id, RunHarness.Period));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(issued, await conn.ExecuteScalarAsync<int>("select count(*)::int from invoices"));
        Assert.Equal(issued + 1, await conn.ExecuteScalarAsync<long>("select next_value from invoice_number_sequences where issuer = 'default'"));
        Assert.Equal(0u, await h.Vhost.ReadyNowAsync("generate-invoice"));
    }
}

/// <summary>Cancels that cannot be: unknown, completed and already cancelled runs; nothing changes.</summary>
public sealed class When_a_cancel_is_refused : IAsyncLifetime
{
    private RunHarness h = null!;

    public async Task InitializeAsync() => h = await RunHarness.StartAsync("runcancelbad");

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task Does_answer_404_for_an_unknown_run_and_409_for_one_that_is_over_and_writes_nothing()
    {
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        var completed = Guid.NewGuid();
        var cancelled = Guid.NewGuid();
        await conn.ExecuteAsync("""
            insert into invoice_runs (id, period, status, completed_at) values (@completed, '2026-08', 'completed', now());
            insert into invoice_runs (id, period, status, completed_at, cancelled_at, cancelled_by) values (@cancelled, '2026-09', 'cancelled', now(), now(), 'someone');
            """, new { completed, cancelled });
        const string Snapshot = "select string_agg(id::text || status || coalesce(cancelled_at::text, '-') || coalesce(cancelled_by, '-'), ',' order by id) from invoice_runs";
        var before = await conn.ExecuteScalarAsync<string>(Snapshot);

        var unknown = await h.Http.PostAsync($"/api/runs/{Guid.NewGuid()}/cancel", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);

        var done = await h.Http.PostAsync($"/api/runs/{completed}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, done.StatusCode);
        Assert.Contains("already completed", await done.Content.ReadAsStringAsync());

        var again = await h.Http.PostAsync($"/api/runs/{cancelled}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already cancelled", await again.Content.ReadAsStringAsync());

        Assert.Equal(before, await conn.ExecuteScalarAsync<string>(Snapshot));
    }
}
