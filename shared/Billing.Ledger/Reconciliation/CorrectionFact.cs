namespace Billing.Ledger;

/// <summary>
/// A credit note or a void as the invoice database sees it, with what the ledger holds for it: the receivable credit
/// of its entry (null when there is no entry). <see cref="StripeInvoiceId"/> is the invoice's, when it was pushed;
/// <see cref="StripeDocumentId"/> the Stripe credit note of a credit note (voids are checked by the invoice status).
/// </summary>
public sealed record CorrectionFact(
    string Kind,
    Guid InvoiceId,
    Guid AccountId,
    string Label,
    string Currency,
    long TotalMinor,
    long? LedgerReceivableCreditMinor,
    string? StripeInvoiceId,
    string? StripeDocumentId)
{
    public const string CreditNote = "credit_note";
    public const string Void = "void";
}
