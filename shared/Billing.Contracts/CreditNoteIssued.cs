namespace Billing.Contracts;

/// <summary>
/// Event: a credit note is stored with its number (amounts in minor units, tax included in the total). Its PDF, email,
/// journal entry and — when Stripe is on — Stripe credit note follow from this event, each once per credit note.
/// </summary>
public record CreditNoteIssued(Guid CreditNoteId, Guid InvoiceId, Guid AccountId, string Number, long TotalMinor, long TaxMinor, string Currency);
