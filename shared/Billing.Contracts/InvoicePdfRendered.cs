namespace Billing.Contracts;

/// <summary>
/// Event: the PDF is stored at <paramref name="StorageKey"/> (<c>{account_id}/{invoice_id}.pdf</c>).
/// <paramref name="Rerender"/> is true when an operator asked for it; the mailer never emails twice for one invoice
/// unless a resend is asked for explicitly.
/// </summary>
public record InvoicePdfRendered(Guid InvoiceId, Guid RunId, Guid AccountId, string StorageKey, long SizeBytes, string Sha256, bool Rerender);
