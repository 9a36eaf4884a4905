using System.Collections.Concurrent;
using System.Diagnostics;
using Billing.Contracts;
using Billing.Testing;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Errors.Infrastructure.Tests;

/// <summary>A real consumer on the real bus conventions that fails for the invoices a test names.</summary>
public sealed class AlwaysFailingRenderConsumer : IConsumer<RenderInvoicePdf>
{
    public static readonly ConcurrentDictionary<Guid, bool> Failing = new();
    public static readonly ConcurrentDictionary<Guid, string> TraceIds = new();
    public static readonly ConcurrentDictionary<Guid, int> Attempts = new();

    /// <summary>Where a successful render is written, as the pdf-renderer writes it.</summary>
    public static Npgsql.NpgsqlDataSource? Db;

    public async Task Consume(ConsumeContext<RenderInvoicePdf> context)
    {
        var invoice = context.Message.InvoiceId;
        Attempts.AddOrUpdate(invoice, 1, (_, n) => n + 1);
        if (Activity.Current is { } activity) TraceIds[invoice] = activity.TraceId.ToHexString();
        if (Failing.ContainsKey(invoice))
            throw new InvalidOperationException($"PDF template 'invoice-v2' not found while rendering {invoice}");
        if (Db is not null) await Seed.RenderedAsync(Db, [invoice]);
    }
}

public sealed class When_a_consumer_fails_finally_for_50_invoices : IAsyncLifetime
{
    // The renderer's own endpoint: the stage of a failure comes from the table of endpoints, not from the message type.
    private const string Queue = Billing.Vocabulary.ConsumerEndpoints.RenderInvoicePdf;
    private TestDatabase db = null!;
    private TestVhost vhost = null!;
    private FakeChatServer chat = null!;
    private ServiceProcess redrive = null!;
    private WebApplication failing = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("faults");
        vhost = await TestVhost.CreateAsync("faults");
        chat = await FakeChatServer.StartAsync();
        redrive = Redrive.Start(db, vhost, new Dictionary<string, string?>
        {
            ["Chat__WebhookUrl"] = chat.WebhookUrl.ToString(),
            // The one trace-link setting; the former Chat__TraceUiUrl is only a fallback now (When_trace_links_are_configured).
            ["BILLING_TRACE_UI_URL"] = "http://ui.test:18888/traces/detail/{trace_id}",
            // Wide enough that one storm lands in one window.
            ["Alerts__Window"] = "00:00:15",
            ["ErrorLog__NoiseErrorTypes"] = "KnownNoise; OperationCanceledException",
            ["ErrorLog__AutoResolveEvery"] = "00:00:01",
            ["Redrive__PollIntervalMs"] = "200",
        });
        await redrive.WaitHealthyAsync();
        AlwaysFailingRenderConsumer.Db = db.DataSource;
        failing = await InProcessService.StartAsync("render-test", db, vhost,
            bus => bus.AddConsumer<AlwaysFailingRenderConsumer>().Endpoint(e => e.Name = Queue));
    }

    public async Task DisposeAsync()
    {
        await failing.DisposeAsync();
        await redrive.DisposeAsync();
        await chat.DisposeAsync();
        await vhost.DisposeAsync();
        await db.DisposeAsync();
    }

    private async Task<List<ErrorRow>> RowsAsync()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<ErrorRow>("select id, service, error_type, code, message, status, occurrence_count, invoice_id, trace_id, payload::text as payload, backtrace, message_type, stage, notes from error_monitorings order by id")).ToList();
    }

    private List<string> NewErrorAlerts() => chat.Texts.Where(t => System.Text.RegularExpressions.Regex.IsMatch(t, @"^\d+ new")).ToList();

    [Fact]
    public async Task Does_record_one_group_per_cause_alert_once_and_resolve_it_by_itself_after_the_redrive()
    {
        var bus = failing.Services.GetRequiredService<IBus>();
        var (_, seeded) = await Seed.InvoicesAsync(db, 55);
        var bad = seeded.Take(50).Select(s => s.Invoice).ToList();
        var good = seeded.Skip(50).Select(s => s.Invoice).ToList();
        foreach (var id in bad) AlwaysFailingRenderConsumer.Failing[id] = true;
        foreach (var id in bad.Concat(good)) await bus.Publish(new RenderInvoicePdf(id, "test"));

        // 50 invoices failing for one cause: one group counting 50, each invoice listed under it.
        var rows = await Eventually.Until(RowsAsync, r => r.Count == 1 && r[0].OccurrenceCount >= 50, TimeSpan.FromSeconds(90));
        var row = Assert.Single(rows);
        Assert.Equal(50, row.OccurrenceCount);
        Assert.Equal("InvalidOperationException", row.ErrorType);
        Assert.Equal(Queue, row.Code);
        Assert.Equal("RenderInvoicePdf", row.MessageType);
        Assert.Equal("render", row.Stage);
        Assert.Equal("open", row.Status);
        Assert.Contains("PDF template 'invoice-v2' not found", row.Message);
        Assert.Contains("AlwaysFailingRenderConsumer", row.Backtrace);
        Assert.Contains(row.InvoiceId!.Value.ToString(), row.Payload);
        // The trace of a failed consume of the group (the latest recorded), so the group leads to a failing invoice's trace.
        Assert.Contains(row.TraceId, bad.Select(id => AlwaysFailingRenderConsumer.TraceIds[id]));
        Assert.Equal(bad.Order(), (await SubjectsAsync(row.Id)).Order());
        // Retried first: each fault is the final failure, recorded once.
        Assert.All(bad, id => Assert.Equal(4, AlwaysFailingRenderConsumer.Attempts[id]));

        var alert = await Eventually.UntilValue(NewErrorAlerts, a => a.Count > 0, TimeSpan.FromSeconds(90));
        var text = Assert.Single(alert);
        Assert.StartsWith($"50 new: {Queue} in ", text);
        Assert.Contains("InvalidOperationException: PDF template", text);
        Assert.Contains("… and 47 more", text);
        Assert.Matches(@"trace: http://ui\.test:18888/traces/detail/[0-9a-f]{32} ", text);
        Assert.EndsWith($" — billing errors show {row.Id}", text);

        // The same invoice failing again is one more occurrence of the group, not a new row or a new alert.
        await bus.Publish(new RenderInvoicePdf(bad[0], "test again"));
        var again = await Eventually.Until(RowsAsync, r => r.Single().OccurrenceCount == 51, TimeSpan.FromSeconds(60));
        Assert.Single(again);

        // Reported errors: noise is stored and counted but never alerted; a real one alerts on its own.
        var publish = failing.Services.GetRequiredService<IPublishEndpoint>();
        await publish.Publish(new ErrorReported("mailer", "KnownNoise", "smtp_greylisted", "greylisted, will retry",
            Guid.NewGuid(), null, null, null, null, """{"attempt":1}""", DateTimeOffset.UtcNow));
        var suppressed = Guid.NewGuid();
        await publish.Publish(new ErrorReported("mailer", "EmailSuppressed", "missing_pdf", "invoice email suppressed: PDF missing",
            suppressed, null, null, "0af7651916cd43dd8448eb211c80319c", null, "not json", DateTimeOffset.UtcNow));

        await Eventually.UntilValue(NewErrorAlerts, a => a.Count == 2, TimeSpan.FromSeconds(90));
        var all = await RowsAsync();
        Assert.Equal(3, all.Count);
        Assert.Contains(all, r => r.ErrorType == "KnownNoise" && r.Payload == """{"attempt": 1}""");
        var email = Assert.Single(all, r => r.ErrorType == "EmailSuppressed");
        Assert.Equal(suppressed, email.InvoiceId);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", email.TraceId);
        Assert.Equal("\"not json\"", email.Payload);
        var alerts = NewErrorAlerts();
        Assert.StartsWith("1 new: missing_pdf in mailer — EmailSuppressed", alerts[1]);
        Assert.DoesNotContain(chat.Texts, t => t.Contains("KnownNoise", StringComparison.Ordinal));
        Assert.Equal("open", (await RowsAsync()).Single(r => r.Id == row.Id).Status);

        // The template is fixed and the dead letters redriven: every invoice gets its PDF, and the group resolves
        // itself with a note naming the redrive.
        foreach (var id in bad) AlwaysFailingRenderConsumer.Failing.TryRemove(id, out _);
        var job = Guid.NewGuid();
        await using (var conn = await db.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("insert into redrive_jobs (id, queue, requested_by) values (@job, @queue, 'ops')", new { job, queue = Queue + "_error" });
        var resolved = await Eventually.Until(RowsAsync, r => r.Single(x => x.Id == row.Id).Status == "resolved", TimeSpan.FromSeconds(90));
        var notes = resolved.Single(x => x.Id == row.Id).Notes;
        Assert.Contains("resolved automatically at ", notes);
        Assert.Contains($"all 50 invoices it lists have their PDF now, after redrive job {job:D} (51 messages from {Queue}_error", notes);
        Assert.Contains("51 occurrences", notes);
        // Resolved, not reopened: nothing failed again, and no new alert.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal("resolved", (await RowsAsync()).Single(r => r.Id == row.Id).Status);
        Assert.Equal(2, NewErrorAlerts().Count);
    }

    private async Task<List<Guid>> SubjectsAsync(long id)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<string>("select subject from error_subjects where error_id = @id and kind = 'invoice'", new { id }))
            .Select(Guid.Parse).ToList();
    }

    private sealed class ErrorRow
    {
        public long Id { get; set; }
        public string Service { get; set; } = "";
        public string ErrorType { get; set; } = "";
        public string Code { get; set; } = "";
        public string Message { get; set; } = "";
        public string Status { get; set; } = "";
        public int OccurrenceCount { get; set; }
        public Guid? InvoiceId { get; set; }
        public string? TraceId { get; set; }
        public string? Payload { get; set; }
        public string? Backtrace { get; set; }
        public string MessageType { get; set; } = "";
        public string? Stage { get; set; }
        public string? Notes { get; set; }
    }
}
