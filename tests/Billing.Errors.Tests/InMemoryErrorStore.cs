namespace Billing.Errors.Tests;

/// <summary>Error store held in memory, for the specs of what records errors.</summary>
public sealed class InMemoryErrorStore : IErrorStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ErrorRecord> _byFingerprint = [];
    private long _nextId = 1;

    public IReadOnlyList<ErrorRecord> All { get { lock (_gate) return [.. _byFingerprint.Values.OrderBy(r => r.Id)]; } }

    /// <summary>Replaces a row by its fingerprint, as an operator's update in the real store would.</summary>
    public void Put(ErrorRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate) _byFingerprint[record.Fingerprint] = record;
    }

    public Task<RecordedError> RecordAsync(ErrorReport report, string fingerprint, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(fingerprint);
        lock (_gate)
        {
            RecordedError result;
            if (!_byFingerprint.TryGetValue(fingerprint, out var known))
            {
                var record = new ErrorRecord(_nextId++, fingerprint, report.Service, report.ErrorType, report.Code,
                    report.Message, ErrorStatus.Open, now, now, now,
                    Backtrace: report.Backtrace, Payload: report.Payload?.GetRawText(),
                    InvoiceId: report.InvoiceId, AccountId: report.AccountId, RunId: report.RunId, TraceId: report.TraceId,
                    MessageType: report.MessageType ?? "", Stage: ErrorStages.Of(report));
                result = new RecordedError(record, true);
            }
            else
            {
                var reopened = known.Status == ErrorStatus.Resolved;
                var record = known with
                {
                    OccurrenceCount = known.OccurrenceCount + 1,
                    LastSeenAt = now,
                    UpdatedAt = now,
                    TraceId = report.TraceId ?? known.TraceId,
                    Status = reopened ? ErrorStatus.Open : known.Status,
                    ResolvedAt = reopened ? null : known.ResolvedAt,
                };
                result = new RecordedError(record, reopened);
            }
            _byFingerprint[fingerprint] = result.Record;
            return Task.FromResult(result);
        }
    }
}
