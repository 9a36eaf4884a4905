using System.Globalization;
using Billing.Errors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Errors.Infrastructure;

/// <summary>The daily and weekly summaries: built from the store for a given end time, and posted to chat at
/// the configured times once each (keyed by date, so a restart or a second replica posts nothing more).</summary>
public sealed class SummaryPoster(PostgresErrorStore store, PostgresAlertOutbox outbox, IOptions<ErrorLogOptions> options)
{
    // A summary missed by a restart around its time is still posted; one missed by days is stale and is not.
    private static readonly TimeSpan CatchUp = TimeSpan.FromHours(12);

    public async Task<ErrorSummary> BuildAsync(SummaryKind kind, DateTimeOffset now, CancellationToken ct = default)
    {
        var length = kind == SummaryKind.Daily ? TimeSpan.FromDays(1) : TimeSpan.FromDays(7);
        var rows = await store.ForSummaryAsync(now, length, ct);
        return kind == SummaryKind.Daily ? SummaryBuilder.Daily(rows, now) : SummaryBuilder.Weekly(rows, now);
    }

    /// <summary>Enqueues the summaries whose time has come and that were not posted yet; returns how many.</summary>
    public async Task<int> PostDueAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var posted = 0;
        var daily = LatestDailySlot(now);
        if (now - daily < CatchUp && await PostAsync(SummaryKind.Daily, daily, ct)) posted++;
        var weekly = LatestWeeklySlot(now);
        if (now - weekly < CatchUp && await PostAsync(SummaryKind.Weekly, weekly, ct)) posted++;
        return posted;
    }

    private async Task<bool> PostAsync(SummaryKind kind, DateTimeOffset slot, CancellationToken ct)
    {
        var summary = await BuildAsync(kind, slot, ct);
        var alertKind = kind == SummaryKind.Daily ? AlertKinds.DailySummary : AlertKinds.WeeklySummary;
        var key = $"{alertKind}:{slot.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture)}";
        return await outbox.EnqueueOnceAsync(alertKind, summary.SlackText, key, ct) is not null;
    }

    public DateTimeOffset LatestDailySlot(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        var today = new DateTimeOffset(DateOnly.FromDateTime(utc.UtcDateTime), options.Value.DailyAt, TimeSpan.Zero);
        return today <= utc ? today : today.AddDays(-1);
    }

    public DateTimeOffset LatestWeeklySlot(DateTimeOffset now)
    {
        var slot = LatestDailySlot(now);
        while (slot.DayOfWeek != options.Value.WeeklySummaryDay) slot = slot.AddDays(-1);
        return slot;
    }
}

public enum SummaryKind
{
    Daily,
    Weekly,
}

public sealed class SummaryLoop(SummaryPoster poster, IOptions<ErrorLogOptions> options, TimeProvider time, ILogger<SummaryLoop> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        log.LogInformation("Error summaries: daily at {Daily} UTC, weekly on {Day}", options.Value.DailySummaryAtUtc, options.Value.WeeklySummaryDay);
        using var timer = new PeriodicTimer(options.Value.SummaryCheckEvery, time);
        try
        {
            do
            {
                try
                {
                    var posted = await poster.PostDueAsync(time.GetUtcNow(), ct);
                    if (posted > 0) log.LogInformation("Queued {Count} error summaries for chat", posted);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    log.LogError(ex, "Error summary pass failed; retrying on the next tick");
                }
            } while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
