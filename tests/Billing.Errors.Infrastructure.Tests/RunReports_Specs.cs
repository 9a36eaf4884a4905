using Billing.Contracts;
using Billing.Testing;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Errors.Infrastructure.Tests;

public sealed class When_an_invoice_run_starts_completes_or_stalls : IAsyncLifetime
{
    private TestDatabase db = null!;
    private TestVhost vhost = null!;
    private FakeChatServer chat = null!;
    private ServiceProcess redrive = null!;
    private WebApplication publisher = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("runreports");
        vhost = await TestVhost.CreateAsync("runreports");
        chat = await FakeChatServer.StartAsync();
        redrive = Redrive.Start(db, vhost, new Dictionary<string, string?>
        {
            ["Chat__WebhookUrl"] = chat.WebhookUrl.ToString(),
            ["Alerts__Window"] = "00:00:01",
            ["ErrorLog__StalledRunAfter"] = "00:10:00",
            ["ErrorLog__StalledRunCheckEvery"] = "00:00:01",
        });
        await redrive.WaitHealthyAsync();
        publisher = await InProcessService.StartAsync("run-test", db, vhost, _ => { });
    }

    public async Task DisposeAsync()
    {
        await publisher.DisposeAsync();
        await redrive.DisposeAsync();
        await chat.DisposeAsync();
        await vhost.DisposeAsync();
        await db.DisposeAsync();
    }

    [Fact]
    public async Task Does_post_the_closing_report_once_with_counts_and_totals()
    {
        var bus = publisher.Services.GetRequiredService<IBus>();
        var run = Guid.NewGuid();
        var started = new DateTimeOffset(2026, 11, 1, 2, 0, 0, TimeSpan.Zero);
        var completed = new InvoiceRunCompleted(run, "2026-10", 1200, 1180, 15, 5, 1176, 1180,
            [new CurrencyTotal("EUR", 1000, 12_345_678), new CurrencyTotal("JPY", 180, 4_500_000)],
            started, started.AddMinutes(2).AddSeconds(5));

        await bus.Publish(new InvoiceRunStarted(run, "2026-10", 1200, started));
        // Redelivered and published again: still one report each.
        await bus.Publish(completed);
        await bus.Publish(completed);
        await bus.Publish(new InvoiceRunStarted(run, "2026-10", 1200, started));

        var texts = await Eventually.UntilValue(() => chat.Texts.ToList(),
            t => t.Any(x => x.StartsWith("*Invoice run 2026-10 completed*", StringComparison.Ordinal))
                 && t.Any(x => x.StartsWith("Invoice run 2026-10 started", StringComparison.Ordinal)), TimeSpan.FromSeconds(60));
        // Give a second copy every chance to show up before counting.
        await Task.Delay(TimeSpan.FromSeconds(3));
        texts = chat.Texts.ToList();
        var report = Assert.Single(texts, t => t.Contains("completed*", StringComparison.Ordinal));
        Assert.Single(texts, t => t.StartsWith("Invoice run 2026-10 started", StringComparison.Ordinal));
        Assert.Contains($"*Invoice run 2026-10 completed* in 2m 05s (run {run:D})", report);
        Assert.Contains("• invoices: 1,180 of 1,200 accounts (9.4 invoices/s)", report);
        Assert.Contains("• totals: EUR 123,456.78 (1,000 invoices), JPY 4,500,000 (180 invoices)", report);
        Assert.Contains("• emails sent: 1,176", report);
        Assert.Contains("• failures: 5", report);
        Assert.Contains("• skipped: 15", report);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("select count(*) from chat_alert_outbox where kind = 'run_completed' and sent_at is not null"));
    }

    [Fact]
    public async Task Does_report_a_running_run_without_progress_and_count_each_check()
    {
        var stalled = Guid.NewGuid();
        var fresh = Guid.NewGuid();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            insert into invoice_runs (id, period, status, accounts, started_at) values
                (@stalled, '2026-09', 'running', 10, now() - interval '1 hour'),
                (@fresh, '2026-08', 'running', 10, now())
            """, new { stalled, fresh });

        var count = await Eventually.Until(() => conn.ExecuteScalarAsync<int>(
            "select coalesce(max(occurrence_count), 0) from error_monitorings where run_id = @stalled and error_type = 'stalled_run'", new { stalled }),
            n => n >= 2, TimeSpan.FromSeconds(60));

        Assert.True(count >= 2);
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("select count(*) from error_monitorings where error_type = 'stalled_run'"));
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("select count(*) from error_monitorings where run_id = @fresh", new { fresh }));
        var message = await conn.ExecuteScalarAsync<string>("select message from error_monitorings where run_id = @stalled", new { stalled });
        Assert.StartsWith("invoice run 2026-09 has made no progress for 6", message);
        // One alert for the group, counting the checks of its window (each check is one more occurrence).
        var alerts = await Eventually.UntilValue(() => chat.Texts.Where(x => x.Contains(" new: no_progress in invoice-run — stalled_run", StringComparison.Ordinal)).ToList(),
            t => t.Count > 0, TimeSpan.FromSeconds(60));
        Assert.Matches("^[0-9]+ new: no_progress in invoice-run — stalled_run", Assert.Single(alerts));
    }
}
