namespace Billing.Invoicing.Infrastructure;

public sealed class RunRow
{
    public Guid Id { get; init; }
    public string Period { get; init; } = "";
    public string Status { get; init; } = "";
    public int? Accounts { get; init; }
    public string? RequestedBy { get; init; }
    public string? TraceId { get; init; }
    public DateTime StartedAt { get; init; }
    public DateTime? FannedOutAt { get; init; }
    public DateTime? CompletedAt { get; init; }
    public DateTime? CancelledAt { get; init; }
    public string? CancelledBy { get; init; }
}

public sealed record CurrencySum(string Currency, int Invoices, long TotalMinor);

/// <summary>Counts per stage of one run, computed from the invoices, run_accounts and open stage failures.</summary>
public sealed record RunProgress(
    RunRow Run,
    int Accounts,
    int Generated,
    int Rendered,
    int Emailed,
    int Synced,
    int PushedToStripe,
    int Skipped,
    int Failed,
    int Settled,
    int EmailDone,
    int SyncDone,
    double InvoicesPerSecond,
    double? EtaSeconds,
    IReadOnlyList<CurrencySum> Totals)
{
    /// <summary>Every account generated, skipped or failed, and every invoice emailed and synced or failed.</summary>
    public bool AllTerminal => Run.FannedOutAt is not null && Settled >= Accounts && IssuedTerminal;

    /// <summary>Every invoice issued so far emailed and synced or failed (what a cancelled run waits for).</summary>
    public bool IssuedTerminal => Run.FannedOutAt is not null && EmailDone >= Generated && SyncDone >= Generated;

    /// <summary>Accounts of a cancelled run that got no outcome: their requests were refused after the cancel.</summary>
    public int NotIssued => RunStatus.IsCancelled(Run.Status) ? Math.Max(0, Accounts - Settled) : 0;
}

public sealed class FailureRow
{
    public long Id { get; init; }
    public Guid RunId { get; init; }
    public Guid AccountId { get; init; }
    public Guid? InvoiceId { get; init; }
    public string Stage { get; init; } = "";
    public string MessageType { get; init; } = "";
    public string? ExceptionType { get; init; }
    public string Reason { get; init; } = "";
    public string? TraceId { get; init; }
    public DateTime FailedAt { get; init; }
    public string? InputQueue { get; init; }
    public string Period { get; init; } = "";
    public string? Number { get; init; }
    public long? TotalMinor { get; init; }
    public string? Currency { get; init; }
    public string? PdfKey { get; init; }
    public long? PdfSize { get; init; }
    public string? PdfSha256 { get; init; }
    public bool PdfMissing => PdfKey is null;
}

public sealed record NewFailure(Guid RunId, Guid AccountId, Guid? InvoiceId, string Stage, string MessageType,
    string? InputQueue, string? ExceptionType, string Reason, string? TraceId);

public sealed class RunStatusChange
{
    public string FromStatus { get; init; } = "";
    public string ToStatus { get; init; } = "";
    public string Reason { get; init; } = "";
    public DateTime ChangedAt { get; init; }
}
