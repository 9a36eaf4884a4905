using Billing.Errors;
using Billing.Testing;
using Dapper;
using Microsoft.Extensions.Options;

namespace Billing.Errors.Infrastructure.Tests;

public sealed class When_summaries_come_due : IAsyncLifetime
{
    // A Monday: the daily and the weekly summary are both due at 08:00.
    private static readonly DateTimeOffset Monday8 = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);
    private TestDatabase db = null!;
    private SummaryPoster poster = null!;
    private PostgresErrorStore store = null!;
    private readonly ManualTimeProvider time = new(Monday8);

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("summaries");
        store = new PostgresErrorStore(db.DataSource);
        poster = new SummaryPoster(store, new PostgresAlertOutbox(db.DataSource, time),
            Options.Create(new ErrorLogOptions { DailySummaryAtUtc = "08:00", WeeklySummaryDay = DayOfWeek.Monday }));
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    private async Task<List<(string Kind, string Text)>> OutboxAsync()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<(string, string)>("select kind, payload->>'text' from chat_alert_outbox order by id")).ToList();
    }

    [Fact]
    public async Task Does_post_each_summary_once_at_its_time_with_the_planted_errors()
    {
        var report = new ErrorReport("mailer", "EmailFailed", "smtp_550", "mailbox unavailable", InvoiceId: Guid.NewGuid());
        var planted = await store.RecordAsync(report, Fingerprint.For(report), Monday8.AddHours(-3));
        var before = (await OutboxAsync()).Count;

        Assert.Equal(0, await poster.PostDueAsync(Monday8.AddMinutes(-1)));
        Assert.Equal(2, await poster.PostDueAsync(Monday8.AddSeconds(30)));
        Assert.Equal(0, await poster.PostDueAsync(Monday8.AddMinutes(5)));
        // Tuesday just before eight: Monday's daily is done, the next is not due yet.
        Assert.Equal(0, await poster.PostDueAsync(Monday8.AddDays(1).AddMinutes(-1)));
        Assert.Equal(1, await poster.PostDueAsync(Monday8.AddDays(1).AddMinutes(1)));

        var posted = (await OutboxAsync()).Skip(before).ToList();
        Assert.Equal([AlertKinds.DailySummary, AlertKinds.WeeklySummary, AlertKinds.DailySummary], posted.Select(p => p.Kind));
        Assert.StartsWith("*Error log — daily summary to 2026-11-02 08:00 UTC*: 1 new, 0 older still unresolved", posted[0].Text);
        Assert.Contains($"• #{planted.Record.Id} mailer EmailFailed/smtp_550 ×1 — open", posted[0].Text);
        Assert.StartsWith("*Error log — weekly summary to 2026-11-02 08:00 UTC*: 1 new, 0 resolved, 1 still unresolved", posted[1].Text);
        Assert.StartsWith("*Error log — daily summary to 2026-11-03 08:00 UTC*: 0 new, 1 older still unresolved", posted[2].Text);
    }

    [Fact]
    public async Task Does_not_post_a_summary_missed_by_days()
    {
        // Started on a Thursday afternoon: Monday's weekly summary is stale and is not posted late.
        var thursday = new DateTimeOffset(2026, 11, 5, 15, 0, 0, TimeSpan.Zero);
        Assert.Equal(thursday.AddHours(-7), poster.LatestDailySlot(thursday));
        Assert.Equal(Monday8, poster.LatestWeeklySlot(thursday));
        var before = (await OutboxAsync()).Count;
        Assert.Equal(1, await poster.PostDueAsync(thursday));
        var posted = await OutboxAsync();
        Assert.Equal(AlertKinds.DailySummary, posted[before].Kind);
    }
}
