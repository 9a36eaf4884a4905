namespace Billing.Contracts;

/// <summary>Event from a Stripe webhook (<c>invoice.paid</c>).</summary>
public record PaymentSucceeded(string SourceEventId, Guid InvoiceId, long AmountMinor, string Currency, DateTimeOffset OccurredAt);
