namespace Billing.Contracts;

/// <summary>Event: the invoice's journal entry is committed to the ledger.</summary>
public record InvoiceSynced(Guid InvoiceId, Guid RunId, Guid JournalEntryId);
