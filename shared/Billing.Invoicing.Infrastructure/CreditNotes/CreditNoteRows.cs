namespace Billing.Invoicing.Infrastructure.CreditNotes;

public sealed class CreditNoteRow
{
    public Guid Id { get; init; }
    public Guid InvoiceId { get; init; }
    public Guid AccountId { get; init; }
    public string Issuer { get; init; } = "";
    public string Number { get; init; } = "";
    public string InvoiceNumber { get; init; } = "";
    public string Reason { get; init; } = "";
    public string? Memo { get; init; }
    public string Currency { get; init; } = "";
    public long SubtotalMinor { get; init; }
    public decimal TaxRate { get; init; }
    public long TaxMinor { get; init; }
    public long TotalMinor { get; init; }
    public DateTime IssuedAt { get; init; }
    public string? RequestedBy { get; init; }
    public string? TraceId { get; init; }
    public string? PdfKey { get; init; }
    public string? PdfSha256 { get; init; }
    public long? PdfSize { get; init; }
    public DateTime? PdfRenderedAt { get; init; }
    public string EmailStatus { get; init; } = "";
    public DateTime? EmailedAt { get; init; }
    public Guid? JournalEntryId { get; init; }
    public DateTime? SyncedAt { get; init; }
    public string? StripeCreditNoteId { get; init; }
}

public sealed class CreditNoteLineRow
{
    public int LineNo { get; init; }
    public string Description { get; init; } = "";
    public decimal Quantity { get; init; }
    public decimal UnitPrice { get; init; }
    public long AmountMinor { get; init; }
}
