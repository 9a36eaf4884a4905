using Billing.Errors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Errors.Infrastructure;

/// <summary>Moves grouped alerts from the aggregator into the outbox when their window is due, and delivers the
/// outbox to chat. A failure here is logged and retried on the next tick: it never touches the error records,
/// and an undelivered message stays in the outbox.</summary>
public sealed class AlertLoop(
    AlertAggregator aggregator,
    PostgresAlertOutbox outbox,
    IOptions<ChatOptions> chat,
    IOptions<DispatchOptions> dispatch,
    IOptions<ErrorLogOptions> options,
    IHttpClientFactory httpClients,
    TimeProvider time,
    ILogger<AlertLoop> log) : BackgroundService
{
    public const string HttpClientName = "chat-webhook";

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var dispatcher = chat.Value.IsConfigured
            ? new AlertDispatcher(outbox, new SlackWebhookClient(httpClients.CreateClient(HttpClientName), new Uri(chat.Value.WebhookUrl!)), time, dispatch.Value)
            : null;
        if (dispatcher is null)
            log.LogWarning("Chat alerts are not sent: {Setting} is not set; they are kept in chat_alert_outbox until it is", ChatOptions.WebhookUrlSetting);
        log.LogInformation("Error log alerts: flush every {Every}, chat {Chat}, trace links {Trace}",
            options.Value.AlertLoopEvery, dispatcher is null ? "off" : "on", string.IsNullOrEmpty(chat.Value.TraceUiUrl) ? "off" : "on");

        using var timer = new PeriodicTimer(options.Value.AlertLoopEvery, time);
        try
        {
            do
            {
                await TickAsync(dispatcher, force: false, ct);
            } while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        // At shutdown the open window goes to the outbox, where the next start delivers it.
        try { await aggregator.FlushToAsync(outbox, force: true, CancellationToken.None); }
        catch (Exception ex) { log.LogError(ex, "Could not keep {Pending} pending alerts at shutdown", aggregator.Pending); }
    }

    private async Task TickAsync(AlertDispatcher? dispatcher, bool force, CancellationToken ct)
    {
        try
        {
            await aggregator.FlushToAsync(outbox, force, ct);
            if (dispatcher is null) return;
            while (true)
            {
                var result = await dispatcher.DispatchDueAsync(ct);
                if (result.Failed > 0)
                {
                    // Chat is down: the rest of the claimed batch waits like the message that failed.
                    await outbox.ReleaseClaimsAsync(time.GetUtcNow() + dispatch.Value.InitialBackoff, ct);
                    log.LogWarning("Chat webhook refused an alert; it stays in the outbox and is retried with backoff");
                    return;
                }
                if (result.Sent < dispatch.Value.BatchSize) return;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            log.LogError(ex, "Alert delivery pass failed; retrying on the next tick");
        }
    }
}
