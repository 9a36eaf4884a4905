namespace Billing.Ledger;

/// <summary>
/// An invoice as the invoice database sees it. <see cref="Status"/> is ours (open, paid, uncollectible, void);
/// <see cref="Emailed"/> and <see cref="Synced"/> say whether the mailer and the ledger confirmed it.
/// </summary>
public sealed record InvoiceFact(
    Guid InvoiceId,
    Guid AccountId,
    string Number,
    string Currency,
    long TotalMinor,
    string Status,
    bool Emailed,
    bool Synced,
    string? StripeInvoiceId);
