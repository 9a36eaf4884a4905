using Billing.Contracts;
using Billing.Testing;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Errors.Infrastructure.Tests;

public sealed class When_the_chat_endpoint_is_down : IAsyncLifetime
{
    private TestDatabase db = null!;
    private TestVhost vhost = null!;
    private ServiceProcess redrive = null!;
    private WebApplication publisher = null!;
    private readonly int chatPort = ServiceProcess.FreePort();

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("chatdown");
        vhost = await TestVhost.CreateAsync("chatdown");
        redrive = Redrive.Start(db, vhost, new Dictionary<string, string?>
        {
            // Nothing listens there yet.
            ["Chat__WebhookUrl"] = FakeChatServer.UrlOn(chatPort),
            ["Chat__InitialBackoff"] = "00:00:01",
            ["Chat__MaxBackoff"] = "00:00:02",
            ["Alerts__Window"] = "00:00:01",
        });
        await redrive.WaitHealthyAsync();
        publisher = await InProcessService.StartAsync("chatdown-test", db, vhost, _ => { });
    }

    public async Task DisposeAsync()
    {
        await publisher.DisposeAsync();
        await redrive.DisposeAsync();
        await vhost.DisposeAsync();
        await db.DisposeAsync();
    }

    [Fact]
    public async Task Does_record_errors_and_deliver_every_alert_once_chat_is_back()
    {
        var bus = publisher.Services.GetRequiredService<IBus>();
        var codes = new[] { "drift_amount", "drift_missing", "webhook_signature" };
        foreach (var code in codes)
        {
            await bus.Publish(new ErrorReported("accounting-sync", "ReconciliationDrift", code, $"{code} found",
                null, Guid.NewGuid(), null, null, null, null, DateTimeOffset.UtcNow));
            // Separate windows, so there are several outbox messages to keep.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
        }
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(3, await Eventually.Until(() => conn.ExecuteScalarAsync<int>("select count(*) from error_monitorings"), n => n == 3, TimeSpan.FromSeconds(60)));
        await Eventually.Until(() => conn.ExecuteScalarAsync<int>(
            "select count(*) from chat_alert_outbox where sent_at is null and attempts >= 1 and last_error is not null"), n => n >= 1, TimeSpan.FromSeconds(60));
        var queued = await Eventually.Until(() => conn.ExecuteScalarAsync<int>("select count(*) from chat_alert_outbox"), n => n >= 2, TimeSpan.FromSeconds(30));
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("select count(*) from chat_alert_outbox where sent_at is not null"));

        await using var chat = await FakeChatServer.StartAsync(chatPort);

        await Eventually.Until(() => conn.ExecuteScalarAsync<int>("select count(*) from chat_alert_outbox where sent_at is null"), n => n == 0, TimeSpan.FromSeconds(60));
        var texts = chat.Texts.ToList();
        var total = await conn.ExecuteScalarAsync<int>("select count(*) from chat_alert_outbox");
        Assert.True(total >= queued);
        Assert.Equal(total, texts.Count);
        foreach (var code in codes) Assert.Single(texts, t => t.Contains(code, StringComparison.Ordinal));
    }
}

public sealed class When_the_chat_webhook_setting_is_absent_or_malformed : IAsyncLifetime
{
    private TestDatabase db = null!;
    private TestVhost vhost = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("chatcfg");
        vhost = await TestVhost.CreateAsync("chatcfg");
    }

    public async Task DisposeAsync()
    {
        await vhost.DisposeAsync();
        await db.DisposeAsync();
    }

    [Theory]
    [InlineData("hooks.slack.com/services/T/B/x")]
    [InlineData("ftp://hooks.slack.com/services/T/B/x")]
    public async Task Does_stop_start_up_with_one_line_naming_the_setting(string url)
    {
        await using var redrive = Redrive.Start(db, vhost, new Dictionary<string, string?> { ["Chat__WebhookUrl"] = url });
        var exit = await redrive.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exit);
        var line = Assert.Single(redrive.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("redrive: setting Chat__WebhookUrl must be an absolute http or https URL", line.Trim());
        Assert.DoesNotContain("hooks.slack.com", redrive.Output);
    }

    [Fact]
    public async Task Does_stop_start_up_for_a_summary_time_that_is_not_a_time()
    {
        await using var redrive = Redrive.Start(db, vhost, new Dictionary<string, string?> { ["ErrorLog__DailySummaryAtUtc"] = "8am" });
        Assert.NotEqual(0, await redrive.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var line = Assert.Single(redrive.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("redrive: setting ErrorLog__DailySummaryAtUtc must be a time of day as HH:mm", line);
    }

    [Fact]
    public async Task Does_record_an_unusable_report_once_with_its_reason_and_dead_letter_it()
    {
        await using var redrive = Redrive.Start(db, vhost);
        await redrive.WaitHealthyAsync();
        await using var publisher = await InProcessService.StartAsync("badreport-test", db, vhost, _ => { });

        await publisher.Services.GetRequiredService<IBus>().Publish(new ErrorReported("", "EmailFailed", "smtp_550",
            "mailbox unavailable", null, null, null, null, null, null, DateTimeOffset.UtcNow));

        await using var conn = await db.DataSource.OpenConnectionAsync();
        var row = await Eventually.Until(() => conn.QuerySingleOrDefaultAsync<(string Type, string Code, string Message, int Count)?>(
            "select error_type, code, message, occurrence_count from error_monitorings where code = 'error-log-reports'"),
            r => r is not null, TimeSpan.FromSeconds(60));
        Assert.Equal(("ValidationException", "error-log-reports", "ErrorReported is unusable: service is required", 1), row!.Value);
        var dead = await Eventually.Until(() => vhost.QueueAsync("error-log-reports_error"),
            q => q is { } v && v.TryGetProperty("messages", out var m) && m.GetInt32() == 1, TimeSpan.FromSeconds(60));
        Assert.NotNull(dead);
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("select count(*) from error_monitorings"));
    }

    [Fact]
    public async Task Does_run_without_chat_keep_alerts_in_the_outbox_and_say_so_once()
    {
        await using var redrive = Redrive.Start(db, vhost, new Dictionary<string, string?> { ["Alerts__Window"] = "00:00:01" });
        await redrive.WaitHealthyAsync();
        await using var publisher = await InProcessService.StartAsync("nochat-test", db, vhost, _ => { });

        await publisher.Services.GetRequiredService<IBus>().Publish(new ErrorReported("mailer", "EmailFailed", "smtp_550",
            "mailbox unavailable", Guid.NewGuid(), null, null, null, null, null, DateTimeOffset.UtcNow));

        await using var conn = await db.DataSource.OpenConnectionAsync();
        await Eventually.Until(() => conn.ExecuteScalarAsync<int>(
            "select count(*) from chat_alert_outbox where kind = 'new_errors' and payload->>'text' like '1 new: smtp_550%'"), n => n == 1, TimeSpan.FromSeconds(60));
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("select count(*) from chat_alert_outbox where sent_at is not null or attempts > 0"));
        Assert.Single(redrive.Output.Split('\n'), l => l.Contains("Chat alerts are not sent: Chat__WebhookUrl is not set", StringComparison.Ordinal));
    }
}
