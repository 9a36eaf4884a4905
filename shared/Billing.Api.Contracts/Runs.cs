namespace Billing.Api.Contracts;

/// <summary>POST /api/runs and POST /api/runs/preview: the month to invoice, yyyy-MM; it must have ended.</summary>
public sealed record StartRunRequest(string? Period);

public sealed record RunAccepted(Guid RunId);

/// <summary>A monthly run as stored.</summary>
public sealed record RunInfo(
    Guid Id, string Period, string Status, int? Accounts, string? RequestedBy, string? TraceId, DateTime StartedAt,
    DateTime? FannedOutAt, DateTime? CompletedAt, DateTime? CancelledAt, string? CancelledBy);

public sealed record RunPage(int Count, int Total, int Offset, int? NextOffset, IReadOnlyList<RunInfo> Runs);

/// <summary>Something of the run that needs an operator, with the command to run next.</summary>
public sealed record RunAttention(string Kind, string? Stage, int Count, string? Queue, string Reason, string Command);

public sealed record RunDeadLetterQueue(
    string Queue, string SourceQueue, string MessageType, string? Stage, int Messages, int Pending, int Superseded);

public sealed record RunDeadLetterSummary(int Total, int Pending, int Superseded, bool Truncated, IReadOnlyList<RunDeadLetterQueue> Queues);

public sealed record RunStatusChange(string From, string To, string Reason, DateTime At);

public sealed record RunCounts(
    int Accounts, int Generated, int Rendered, int Emailed, int Synced, int PushedToStripe, int Skipped, int Failed, int NotIssued);

/// <summary>What the invoices of one currency add up to, in minor units.</summary>
public sealed record RunTotal(string Currency, int Invoices, long TotalMinor);

/// <summary>A request of the run that failed and was not retried successfully yet.</summary>
public sealed record RunFailure(
    long Id, Guid AccountId, Guid? InvoiceId, string Stage, string MessageType, string? Queue, string? ExceptionType,
    string Reason, string? TraceId, DateTime FailedAt);

/// <summary>
/// GET /api/runs/{id}: progress, and what still needs an operator. <c>summary</c> says the status in words,
/// <c>dead_letters</c> is null when the broker could not be read (the summary then says so), <c>failures</c> is listed
/// only with <c>?failed=true</c>.
/// </summary>
public sealed record RunStatusResponse(
    RunInfo Run,
    string Summary,
    IReadOnlyList<RunAttention> Attention,
    IReadOnlyList<string> Next,
    IReadOnlyDictionary<string, int> FailedByStage,
    RunDeadLetterSummary? DeadLetters,
    IReadOnlyList<RunStatusChange> History,
    RunCounts Counts,
    double InvoicesPerSecond,
    double? EtaSeconds,
    IReadOnlyList<RunTotal> Totals,
    IReadOnlyList<RunFailure>? Failures);

public sealed record RunCancelAccepted(Guid RunId, string Status, DateTime? CancelledAt);

public sealed record RetryAccepted(Guid RunId, int Retried, IReadOnlyDictionary<string, int> ByStage);

public sealed record PreviewFailure(Guid AccountId, string Reason, string Detail);

public sealed record PreviewFailing(int Accounts, IReadOnlyDictionary<string, int> ByReason, IReadOnlyList<PreviewFailure> Listed, bool Truncated);

/// <summary>The invoices of one currency a run would issue, next to the previous period's; <c>total</c> is the amount
/// in major units as text ("1234.50"), <c>change_percent</c> one decimal as text, null without a previous total.</summary>
public sealed record PreviewTotal(
    string Currency, int Invoices, long TotalMinor, string Total, int? PreviousInvoices, long? PreviousTotalMinor,
    long? ChangeMinor, string? ChangePercent);

public sealed record PreviousRunRef(string Period, Guid? RunId);

/// <summary>POST /api/runs/preview: what a run of the period would issue now; writes nothing.</summary>
public sealed record RunPreviewResponse(
    string Period, int BillableAccounts, int Invoices, int AlreadyInvoiced, int Skipped, PreviewFailing Failing,
    IReadOnlyList<PreviewTotal> Totals, PreviousRunRef Previous, long ElapsedMs);
