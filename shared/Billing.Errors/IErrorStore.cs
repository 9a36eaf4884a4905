namespace Billing.Errors;

/// <summary>The result of recording a report: the error row after the upsert, and whether it is news
/// (a fingerprint never seen, or one that had been resolved and came back).</summary>
public sealed record RecordedError(ErrorRecord Record, bool IsNew);

/// <summary>Storage of <c>error_monitorings</c>. The PostgreSQL implementation upserts on the fingerprint
/// (insert … on conflict (fingerprint) do update), so concurrent consumers agree on which one saw it first.</summary>
public interface IErrorStore
{
    /// <summary>Inserts a new error, or counts one more occurrence of a known fingerprint (occurrence_count + 1,
    /// last_seen_at, latest trace id). A resolved error that occurs again is reopened and reported as new:
    /// the fix did not hold, and that is worth an alert.</summary>
    Task<RecordedError> RecordAsync(ErrorReport report, string fingerprint, DateTimeOffset now, CancellationToken ct = default);
}
