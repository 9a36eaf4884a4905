namespace Billing.Errors;

/// <summary>One row of <c>error_monitorings</c>: one error group (one cause, by fingerprint) and its handling. The ids
/// here are those of the first occurrence; every invoice, account and run affected is listed in <c>error_subjects</c>.</summary>
/// <param name="Payload">The raw JSON payload, as stored in the jsonb column.</param>
/// <param name="ResolvedAt">When it last moved to resolved; the weekly summary counts resolutions by it.</param>
public sealed record ErrorRecord(
    long Id,
    string Fingerprint,
    string Service,
    string ErrorType,
    string Code,
    string Message,
    ErrorStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset LastSeenAt,
    int OccurrenceCount = 1,
    string? IssueLink = null,
    string? Backtrace = null,
    string? Payload = null,
    string? Notes = null,
    Guid? InvoiceId = null,
    Guid? AccountId = null,
    Guid? RunId = null,
    string? TraceId = null,
    DateTimeOffset? AlertedAt = null,
    DateTimeOffset? ResolvedAt = null,
    string MessageType = "",
    string? Stage = null)
{
    public bool IsUnresolved => Status != ErrorStatus.Resolved;
}
