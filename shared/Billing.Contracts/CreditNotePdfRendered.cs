namespace Billing.Contracts;

/// <summary>Event: the credit note's PDF is stored at <paramref name="StorageKey"/> (<c>{account_id}/{credit_note_id}.pdf</c>).</summary>
public record CreditNotePdfRendered(Guid CreditNoteId, Guid InvoiceId, Guid AccountId, string StorageKey, long SizeBytes, string Sha256);
