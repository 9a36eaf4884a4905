namespace Billing.Contracts;

/// <summary>Event from a Stripe webhook (<c>charge.refunded</c>); becomes a credit note in the ledger.</summary>
public record RefundCreated(string SourceEventId, Guid InvoiceId, string RefundId, long AmountMinor, string Currency, DateTimeOffset OccurredAt);
