namespace Billing.Errors;

/// <summary>Entry point for a failure: stores it in its group (always, noise included) and hands it to the alert
/// aggregator, which alerts once per new (or reopened) group with the occurrences of its window. Nothing here waits
/// for chat, so a chat outage never slows the error log.</summary>
public sealed class ErrorRecorder(IErrorStore store, AlertAggregator alerts, TimeProvider time)
{
    /// <summary>Stores the report. Throws <see cref="ArgumentException"/> naming the fields when it is unusable.</summary>
    public async Task<RecordedError> RecordAsync(ErrorReport report, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var problems = report.Validate();
        if (problems.Count > 0)
            throw new ArgumentException("invalid error report: " + string.Join("; ", problems.Values), nameof(report));

        var fingerprint = Fingerprint.For(report);
        var recorded = await store.RecordAsync(report, fingerprint, time.GetUtcNow(), ct);
        if (recorded.IsNew) alerts.Add(report, fingerprint, recorded.Record.Id);
        else alerts.AddRepeat(report, fingerprint, recorded.Record.CreatedAt, recorded.Record.Id);
        return recorded;
    }
}
