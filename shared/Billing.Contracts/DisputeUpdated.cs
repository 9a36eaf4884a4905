namespace Billing.Contracts;

/// <summary>Event from a Stripe webhook (<c>charge.dispute.*</c>); <paramref name="Status"/> is Stripe's dispute status.</summary>
public record DisputeUpdated(string SourceEventId, Guid InvoiceId, string DisputeId, string Status, long AmountMinor, string Currency, DateTimeOffset OccurredAt);
