namespace Billing.Errors;

/// <summary>Entry point for a failure: stores it (always, noise included) and, when it is new, hands it to
/// the alert aggregator. Nothing here waits for chat, so a chat outage never slows the error log.</summary>
public sealed class ErrorRecorder(IErrorStore store, AlertAggregator alerts, TimeProvider time)
{
    /// <summary>Stores the report. Throws <see cref="ArgumentException"/> naming the fields when it is unusable.</summary>
    public async Task<RecordedError> RecordAsync(ErrorReport report, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var problems = report.Validate();
        if (problems.Count > 0)
            throw new ArgumentException("invalid error report: " + string.Join("; ", problems.Values), nameof(report));

        var recorded = await store.RecordAsync(report, Fingerprint.For(report), time.GetUtcNow(), ct);
        if (recorded.IsNew) alerts.Add(report);
        return recorded;
    }
}
