namespace Billing.Contracts;

/// <summary>Event from a Stripe webhook (<c>invoice.payment_failed</c>).</summary>
public record PaymentFailed(string SourceEventId, Guid InvoiceId, string Reason, DateTimeOffset OccurredAt);
