namespace Billing.Errors;

/// <summary>Chat messages that survive a chat outage and a restart. Recording an error only enqueues
/// here; delivery happens later in <see cref="AlertDispatcher"/>, so a slow or dead chat never holds up
/// the error log. The PostgreSQL implementation claims due rows with FOR UPDATE SKIP LOCKED.</summary>
public interface IAlertOutbox
{
    /// <summary>Stores a message due at once; returns its id.</summary>
    Task<long> EnqueueAsync(string kind, string text, CancellationToken ct = default);

    /// <summary>Unsent messages whose next attempt is at or before <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<OutboxAlert>> FetchDueAsync(DateTimeOffset now, int limit, CancellationToken ct = default);

    Task MarkSentAsync(long id, DateTimeOffset sentAt, CancellationToken ct = default);

    /// <summary>Counts a failed attempt, keeps the reason and sets when to try again.</summary>
    Task MarkFailedAsync(long id, string error, DateTimeOffset nextAttemptAt, CancellationToken ct = default);
}
