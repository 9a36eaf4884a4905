namespace Billing.Ledger;

/// <summary>A credit note as the ledger needs it. Amounts are positive minor units; total = subtotal + tax.</summary>
public sealed record CreditNoteForPosting(
    Guid CreditNoteId,
    Guid InvoiceId,
    Guid AccountId,
    string Number,
    string InvoiceNumber,
    string Currency,
    long SubtotalMinor,
    long TaxMinor,
    long TotalMinor);
