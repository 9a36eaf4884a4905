using System.Text.Json;

namespace Billing.Api.Contracts;

/// <summary>How many invoices, accounts, runs and keys an error group hit.</summary>
public sealed record ErrorAffectedCounts(int Invoices, int Accounts, int Runs, int Keys);

/// <summary>One error group in a list.</summary>
public sealed record ErrorSummary(
    long Id, string Status, string Service, string MessageType, string ErrorType, string Code, string? Stage, string Message,
    int OccurrenceCount, ErrorAffectedCounts AffectedCounts, Guid? InvoiceId, Guid? AccountId, Guid? RunId, string? TraceId,
    string? TraceUrl, string? IssueLink, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt);

public sealed record ErrorPage(int Count, int Total, int Offset, int? NextOffset, IReadOnlyList<ErrorSummary> Errors);

/// <summary>An invoice, account, run or key an error group hit.</summary>
public sealed record AffectedSubject(string Id, int Occurrences, DateTimeOffset FirstSeenAt, DateTimeOffset LastSeenAt);

public sealed record AffectedList(int Total, IReadOnlyList<AffectedSubject> Listed);

/// <summary>The first subjects of each kind; the rest are paged by GET /api/errors/{id}/affected.</summary>
public sealed record ErrorAffected(AffectedList Invoices, AffectedList Accounts, AffectedList Runs, AffectedList Keys);

/// <summary>One error group with what it hit (<c>affected</c>, null in the answer to a PATCH) and the states it may
/// move to next; <c>payload</c> is the message that failed, as it was.</summary>
public sealed record ErrorDetail(
    long Id, string Fingerprint, string Status, IReadOnlyList<string> AllowedNext, string Service, string MessageType,
    string ErrorType, string Code, string? Stage, string Message, int OccurrenceCount, ErrorAffectedCounts AffectedCounts,
    ErrorAffected? Affected, Guid? InvoiceId, Guid? AccountId, Guid? RunId, string? TraceId, string? TraceUrl, string? IssueLink,
    string? Notes, string? Backtrace, JsonElement? Payload, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset LastSeenAt, DateTimeOffset? ResolvedAt);

public sealed record AffectedPage(long ErrorId, string Kind, int Count, int Total, int Offset, int? NextOffset, IReadOnlyList<AffectedSubject> Items);

/// <summary>PATCH /api/errors/{id}: absent fields are left as they are, an empty issue_link clears it.</summary>
public sealed record ErrorPatchRequest(string? Status, string? Notes, string? IssueLink);

/// <summary>Which groups a bulk change applies to; every field given must match.</summary>
public sealed record ErrorBulkFilter(IReadOnlyList<long>? Ids, string? Status, string? Service, string? Type, string? MessageType, string? RunId);

/// <summary>POST /api/errors/bulk: the filter, and the change for every group it matches (a note is appended).</summary>
public sealed record ErrorBulkRequest(ErrorBulkFilter? Filter, string? Status, string? Note, string? IssueLink);

/// <summary>The ids of the groups changed and of those already in the asked state.</summary>
public sealed record ErrorBulkResponse(int Matched, IReadOnlyList<long> Changed, IReadOnlyList<long> Unchanged);
