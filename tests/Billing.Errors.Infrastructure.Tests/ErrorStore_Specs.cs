using Billing.Errors;
using Billing.Testing;
using Dapper;

namespace Billing.Errors.Infrastructure.Tests;

public sealed class When_errors_are_recorded_in_postgres : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);
    private TestDatabase db = null!;
    private PostgresErrorStore store = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("errstore");
        store = new PostgresErrorStore(db.DataSource);
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    private static ErrorReport Report(Guid invoice, string? trace = null) =>
        new("pdf-renderer", "InvalidOperationException", "render-invoice-pdf", $"template missing for {invoice}",
            "at Render()", InvoiceId: invoice, TraceId: trace);

    private Task<RecordedError> Record(ErrorReport r, DateTimeOffset at) => store.RecordAsync(r, Fingerprint.For(r), at);

    [Fact]
    public async Task Does_count_a_known_fingerprint_instead_of_adding_a_row()
    {
        var invoice = Guid.NewGuid();
        var first = await Record(Report(invoice, "trace-1"), T0);
        var second = await Record(Report(invoice, "trace-2"), T0.AddMinutes(5));

        Assert.True(first.IsNew);
        Assert.False(second.IsNew);
        Assert.Equal(first.Record.Id, second.Record.Id);
        Assert.Equal(2, second.Record.OccurrenceCount);
        Assert.Equal(T0, second.Record.CreatedAt);
        Assert.Equal(T0.AddMinutes(5), second.Record.LastSeenAt);
        Assert.Equal("trace-2", second.Record.TraceId);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("select count(*) from error_monitorings where invoice_id = @invoice", new { invoice }));
    }

    [Fact]
    public async Task Does_reopen_a_resolved_error_that_occurs_again_and_report_it_as_new()
    {
        var invoice = Guid.NewGuid();
        var first = await Record(Report(invoice), T0);
        var resolved = await store.UpdateAsync(first.Record.Id, new ErrorUpdate("resolved", "fixed the template"), T0.AddHours(1));
        Assert.True(resolved.Applied, string.Join("; ", resolved.Problems.Select(p => $"{p.Key}: {p.Value}")) + $" found={resolved.Found}");
        Assert.Equal(T0.AddHours(1), resolved.Record!.ResolvedAt);

        var again = await Record(Report(invoice), T0.AddHours(2));

        Assert.True(again.IsNew);
        Assert.Equal(ErrorStatus.Open, again.Record.Status);
        Assert.Null(again.Record.ResolvedAt);
        Assert.Equal(2, again.Record.OccurrenceCount);
        Assert.Equal("fixed the template", again.Record.Notes);
        var third = await Record(Report(invoice), T0.AddHours(3));
        Assert.False(third.IsNew);
    }

    [Fact]
    public async Task Does_agree_on_one_row_and_one_new_report_under_concurrent_consumers()
    {
        var invoice = Guid.NewGuid();
        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Task.Run(() => Record(Report(invoice), T0))));

        Assert.Single(results, r => r.IsNew);
        Assert.Single(results.Select(r => r.Record.Id).Distinct());
        var row = await store.GetAsync(results[0].Record.Id);
        Assert.Equal(24, row!.OccurrenceCount);
    }

    [Fact]
    public async Task Does_refuse_a_transition_the_rules_forbid_and_change_nothing()
    {
        var first = await Record(Report(Guid.NewGuid()), T0);

        var skip = await store.UpdateAsync(first.Record.Id, new ErrorUpdate("in_progress", "note", "https://issues.example/1"), T0.AddHours(1));
        var unknown = await store.UpdateAsync(first.Record.Id, new ErrorUpdate("closed"), T0.AddHours(1));
        var badLink = await store.UpdateAsync(first.Record.Id, new ErrorUpdate(IssueLink: "issues/1"), T0.AddHours(1));
        var missing = await store.UpdateAsync(long.MaxValue, new ErrorUpdate("resolved"), T0.AddHours(1));

        Assert.Contains("allowed: needs_attention, resolved", skip.Problems["status"]);
        Assert.StartsWith("unknown status 'closed'", unknown.Problems["status"]);
        Assert.Contains("issue_link", badLink.Problems.Keys);
        Assert.False(missing.Found);
        var row = await store.GetAsync(first.Record.Id);
        Assert.Equal(first.Record with { }, row! with { });
    }

    [Fact]
    public async Task Does_filter_by_status_run_and_type()
    {
        var run = Guid.NewGuid();
        var inRun = await Record(new ErrorReport("invoice-run", "stalled_run", "no_progress", "stalled", RunId: run, BusinessKey: $"run:{run}"), T0);
        var other = await Record(Report(Guid.NewGuid()), T0);
        await store.UpdateAsync(other.Record.Id, new ErrorUpdate("needs_attention"), T0);

        Assert.Equal([inRun.Record.Id], (await store.ListAsync(new ErrorQuery(RunId: run))).Select(r => r.Id));
        Assert.Equal([inRun.Record.Id], (await store.ListAsync(new ErrorQuery(ErrorType: "stalled_run"))).Select(r => r.Id));
        Assert.Contains(other.Record.Id, (await store.ListAsync(new ErrorQuery(Status: ErrorStatus.NeedsAttention))).Select(r => r.Id));
        Assert.DoesNotContain(inRun.Record.Id, (await store.ListAsync(new ErrorQuery(Status: ErrorStatus.NeedsAttention))).Select(r => r.Id));
    }
}

public sealed class When_chat_alerts_wait_in_the_postgres_outbox : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);
    private TestDatabase db = null!;
    private readonly ManualTimeProvider time = new(T0);

    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync("outbox");

    public async Task DisposeAsync() => await db.DisposeAsync();

    [Fact]
    public async Task Does_hand_each_due_message_to_one_dispatcher_only()
    {
        var writer = new PostgresAlertOutbox(db.DataSource, time);
        for (var i = 0; i < 40; i++) await writer.EnqueueAsync(AlertKinds.NewErrors, $"alert {i}");
        var a = new PostgresAlertOutbox(db.DataSource, time);
        var b = new PostgresAlertOutbox(db.DataSource, time);

        var claims = await Task.WhenAll(
            Enumerable.Range(0, 6).Select(i => Task.Run(() => (i % 2 == 0 ? a : b).FetchDueAsync(T0, 10))));

        var ids = claims.SelectMany(c => c.Select(x => x.Id)).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(40, ids.Count);
        Assert.Empty(await a.FetchDueAsync(T0, 10));
    }

    [Fact]
    public async Task Does_retry_a_failed_message_at_its_next_attempt_and_keep_the_reason()
    {
        var outbox = new PostgresAlertOutbox(db.DataSource, time);
        var id = await outbox.EnqueueAsync(AlertKinds.NewErrors, "one failure");
        var due = Assert.Single(await outbox.FetchDueAsync(T0, 10), a => a.Id == id);

        await outbox.MarkFailedAsync(due.Id, "HttpRequestException: connection refused", T0.AddSeconds(10));

        Assert.DoesNotContain(await outbox.FetchDueAsync(T0.AddSeconds(9), 10), a => a.Id == id);
        var retry = Assert.Single(await outbox.FetchDueAsync(T0.AddSeconds(10), 10), a => a.Id == id);
        Assert.Equal(1, retry.Attempts);
        Assert.Equal("HttpRequestException: connection refused", retry.LastError);
        Assert.Equal("one failure", retry.Text);
        await outbox.MarkSentAsync(id, T0.AddSeconds(11));
        Assert.DoesNotContain(await outbox.FetchDueAsync(T0.AddDays(1), 10), a => a.Id == id);
    }

    [Fact]
    public async Task Does_keep_a_keyed_message_once()
    {
        var outbox = new PostgresAlertOutbox(db.DataSource, time);
        var first = await outbox.EnqueueOnceAsync(AlertKinds.RunCompleted, "run done", "run_completed:r1");
        var again = await outbox.EnqueueOnceAsync(AlertKinds.RunCompleted, "run done", "run_completed:r1");

        Assert.NotNull(first);
        Assert.Null(again);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("select count(*) from chat_alert_outbox where dedupe_key = 'run_completed:r1'"));
    }
}

public sealed class When_the_fault_consumers_are_registered
{
    [Fact]
    public void Does_cover_every_message_contract_and_no_value_inside_one()
    {
        var names = ErrorLogBus.MessageContracts().Select(t => t.Name).ToList();

        Assert.Contains("GenerateInvoice", names);
        Assert.Contains("RenderInvoicePdf", names);
        Assert.Contains("InvoiceRunCompleted", names);
        Assert.Contains("ErrorReported", names);
        Assert.DoesNotContain("CurrencyTotal", names);
        var contracts = typeof(Billing.Contracts.ErrorReported).Assembly.GetExportedTypes().Count(t => t.IsClass);
        Assert.Equal(contracts - 1, names.Count);
    }
}
