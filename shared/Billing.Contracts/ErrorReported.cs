namespace Billing.Contracts;

/// <summary>
/// Event: something that can cost revenue went wrong without a message fault (a suppressed or failed email, a
/// reconciliation drift, a rejected webhook, a stalled run). The error log records it; the same error type, code
/// and business key count as one error with an occurrence count.
/// </summary>
public record ErrorReported(
    string Service,
    string ErrorType,
    string Code,
    string Message,
    Guid? InvoiceId,
    Guid? AccountId,
    Guid? RunId,
    string? TraceId,
    string? BusinessKey,
    string? PayloadJson,
    DateTimeOffset OccurredAt);
