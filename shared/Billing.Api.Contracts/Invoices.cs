namespace Billing.Api.Contracts;

public sealed record InvoiceSummary(
    Guid Id, Guid? RunId, Guid AccountId, string Period, string Number, string Currency, long TotalMinor, string Status,
    string EmailStatus, DateTime? SyncedAt);

/// <summary>A keyset page of invoices: the next page starts after <c>next_after</c> (null on the last page);
/// <c>offset</c> is how many come before this page.</summary>
public sealed record InvoicePage(int Count, int Total, int Offset, IReadOnlyList<InvoiceSummary> Invoices, Guid? NextAfter);

public sealed record PdfInfo(string? Key, string? Sha256, long? Size, DateTime? RenderedAt);

/// <summary>An invoice line: <c>quantity</c> and <c>unit_price</c> are decimals written as strings, the amount in minor units.</summary>
public sealed record InvoiceLine(
    int LineNo, string Kind, string? Component, string Description, decimal Quantity, decimal UnitPrice, long AmountMinor, int? ParentLineNo);

public sealed record CreditNoteSummary(
    Guid Id, string Number, string Reason, DateTime IssuedAt, long SubtotalMinor, long TaxMinor, long TotalMinor, string EmailStatus,
    DateTime? SyncedAt);

/// <summary>What was credited of an invoice and what may still be; <c>credited_total</c> and <c>remaining</c> are the
/// amounts as text with their currency.</summary>
public sealed record InvoiceCredits(
    long CreditedTotalMinor, long RemainingMinor, string CreditedTotal, string Remaining, IReadOnlyList<CreditNoteSummary> CreditNotes);

/// <summary>GET /api/invoices/{id}: an invoice with its lines; <c>tax_rate</c> is a percent written as a string.</summary>
public sealed record InvoiceDetail(
    Guid Id, Guid? RunId, Guid AccountId, string Period, string Issuer, string Number, string Currency, long SubtotalMinor,
    decimal TaxRate, long TaxMinor, long TotalMinor, string Status, DateTime IssuedAt, DateOnly DueAt, string EmailStatus,
    DateTime? EmailedAt, PdfInfo Pdf, DateTime? SyncedAt, Guid? JournalEntryId, string? StripeCustomerId, string? StripeInvoiceId,
    DateTime? StripePushedAt, string? TraceId, InvoiceCredits Credits, IReadOnlyList<InvoiceLine> Lines);

/// <summary>POST /admin/render-pdf.</summary>
public sealed record RenderPdfRequest(Guid InvoiceId, string? Reason);

public sealed record RenderPdfQueued(Guid InvoiceId, string Number, string Status);

public sealed record CreditLineInput(string Description, decimal Quantity, decimal UnitPrice);

/// <summary>POST /api/invoices/{id}/credit-notes: give <c>lines</c>, an <c>amount</c> (decimal string, tax included)
/// or <c>amount_minor</c>.</summary>
public sealed record IssueCreditNoteRequest
{
    public required string Reason { get; init; }
    public string? Memo { get; init; }
    public IReadOnlyList<CreditLineInput>? Lines { get; init; }
    public decimal? Amount { get; init; }
    public long? AmountMinor { get; init; }
}

public sealed record CreditNoteLine(int LineNo, string Description, decimal Quantity, decimal UnitPrice, long AmountMinor);

/// <summary>A credit note; <c>lines</c> is null in the answer to its creation. <c>total</c> is the amount as text.</summary>
public sealed record CreditNoteResponse(
    Guid Id, Guid InvoiceId, string InvoiceNumber, Guid AccountId, string Issuer, string Number, string Reason, string? Memo,
    string Currency, long SubtotalMinor, decimal TaxRate, long TaxMinor, long TotalMinor, string Total, DateTime IssuedAt,
    string? RequestedBy, string EmailStatus, DateTime? EmailedAt, PdfInfo Pdf, Guid? JournalEntryId, DateTime? SyncedAt,
    string? StripeCreditNoteId, string? TraceId, IReadOnlyList<CreditNoteLine>? Lines);

public sealed record InvoiceVoidedResponse(Guid InvoiceId, string Number, string Status, DateTimeOffset VoidedAt, long TotalMinor, string Currency);
