using System.Collections.Concurrent;
using System.Diagnostics;
using Billing.Contracts;
using Billing.Testing;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.ErrorLog.Tests;

/// <summary>A real consumer on the real bus conventions that fails for the invoices a test names.</summary>
public sealed class AlwaysFailingRenderConsumer : IConsumer<RenderInvoicePdf>
{
    public static readonly ConcurrentDictionary<Guid, bool> Failing = new();
    public static readonly ConcurrentDictionary<Guid, string> TraceIds = new();
    public static readonly ConcurrentDictionary<Guid, int> Attempts = new();

    public Task Consume(ConsumeContext<RenderInvoicePdf> context)
    {
        var invoice = context.Message.InvoiceId;
        Attempts.AddOrUpdate(invoice, 1, (_, n) => n + 1);
        if (Activity.Current is { } activity) TraceIds[invoice] = activity.TraceId.ToHexString();
        if (Failing.ContainsKey(invoice))
            throw new InvalidOperationException($"PDF template 'invoice-v2' not found while rendering {invoice}");
        return Task.CompletedTask;
    }
}

public sealed class When_a_consumer_fails_finally_for_50_invoices : IAsyncLifetime
{
    private const string Queue = "always-failing-render";
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
            ["Chat__TraceUiUrl"] = "http://jaeger.test:16686",
            // Wide enough that one storm lands in one window.
            ["Alerts__Window"] = "00:00:15",
            ["ErrorLog__NoiseErrorTypes"] = "KnownNoise; OperationCanceledException",
        });
        await redrive.WaitHealthyAsync();
        failing = await InProcessService.StartAsync("render-test", db, vhost,
            bus => bus.AddConsumer<AlwaysFailingRenderConsumer>());
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
        return (await conn.QueryAsync<ErrorRow>("select id, service, error_type, code, message, status, occurrence_count, invoice_id, trace_id, payload::text as payload, backtrace from error_monitorings order by id")).ToList();
    }

    private List<string> NewErrorAlerts() => chat.Texts.Where(t => System.Text.RegularExpressions.Regex.IsMatch(t, @"^\d+ new")).ToList();

    [Fact]
    public async Task Does_record_one_error_per_invoice_count_repeats_and_post_one_grouped_alert()
    {
        var bus = failing.Services.GetRequiredService<IBus>();
        var bad = Enumerable.Range(0, 50).Select(_ => Guid.NewGuid()).ToList();
        var good = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in bad) AlwaysFailingRenderConsumer.Failing[id] = true;
        foreach (var id in bad.Concat(good)) await bus.Publish(new RenderInvoicePdf(id, "test"));

        var rows = await Eventually.Until(RowsAsync, r => r.Count >= 50, TimeSpan.FromSeconds(90));
        Assert.Equal(50, rows.Count);
        Assert.Equal(bad.OrderBy(x => x), rows.Select(r => r.InvoiceId!.Value).OrderBy(x => x));
        Assert.All(rows, r =>
        {
            Assert.Equal("InvalidOperationException", r.ErrorType);
            Assert.Equal(Queue, r.Code);
            Assert.Equal("open", r.Status);
            Assert.Equal(1, r.OccurrenceCount);
            Assert.Contains("PDF template 'invoice-v2' not found", r.Message);
            Assert.Contains("AlwaysFailingRenderConsumer", r.Backtrace);
            Assert.Contains(r.InvoiceId!.Value.ToString(), r.Payload);
            // The trace of the failed consume, so the error leads to the invoice's trace.
            Assert.Equal(AlwaysFailingRenderConsumer.TraceIds[r.InvoiceId!.Value], r.TraceId);
            // Retried first: the fault is the final failure, recorded once.
            Assert.Equal(4, AlwaysFailingRenderConsumer.Attempts[r.InvoiceId!.Value]);
        });

        var alert = await Eventually.UntilValue(NewErrorAlerts, a => a.Count > 0, TimeSpan.FromSeconds(90));
        var text = Assert.Single(alert);
        Assert.StartsWith($"50 new: {Queue} in ", text);
        Assert.Contains("InvalidOperationException: PDF template", text);
        Assert.Contains("… and 47 more", text);
        Assert.Contains("trace: http://jaeger.test:16686/trace/", text);

        // The same invoice failing again is one more occurrence, not a new row or a new alert.
        await bus.Publish(new RenderInvoicePdf(bad[0], "test again"));
        var again = await Eventually.Until(RowsAsync, r => r.Single(x => x.InvoiceId == bad[0]).OccurrenceCount == 2, TimeSpan.FromSeconds(60));
        Assert.Equal(50, again.Count);

        // Reported errors: noise is stored and counted but never alerted; a real one alerts on its own.
        var publish = failing.Services.GetRequiredService<IPublishEndpoint>();
        await publish.Publish(new ErrorReported("mailer", "KnownNoise", "smtp_greylisted", "greylisted, will retry",
            Guid.NewGuid(), null, null, null, null, """{"attempt":1}""", DateTimeOffset.UtcNow));
        var suppressed = Guid.NewGuid();
        await publish.Publish(new ErrorReported("mailer", "EmailSuppressed", "missing_pdf", "invoice email suppressed: PDF missing",
            suppressed, null, null, "0af7651916cd43dd8448eb211c80319c", null, "not json", DateTimeOffset.UtcNow));

        await Eventually.UntilValue(NewErrorAlerts, a => a.Count == 2, TimeSpan.FromSeconds(90));
        var all = await RowsAsync();
        Assert.Equal(52, all.Count);
        Assert.Contains(all, r => r.ErrorType == "KnownNoise" && r.Payload == """{"attempt": 1}""");
        var email = Assert.Single(all, r => r.ErrorType == "EmailSuppressed");
        Assert.Equal(suppressed, email.InvoiceId);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", email.TraceId);
        Assert.Equal("\"not json\"", email.Payload);
        var alerts = NewErrorAlerts();
        Assert.StartsWith("1 new: missing_pdf in mailer — EmailSuppressed", alerts[1]);
        Assert.DoesNotContain(chat.Texts, t => t.Contains("KnownNoise", StringComparison.Ordinal));
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
    }
}
