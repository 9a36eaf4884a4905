namespace Billing.Contracts;

/// <summary>Event: a journal entry for a non-invoice source document (payment, refund, dispute) is committed.</summary>
public record LedgerEntryPosted(Guid JournalEntryId, string SourceType, string SourceId, Guid? InvoiceId);
