namespace Billing.Contracts;

public record InvoiceMarkedUncollectible(string SourceEventId, Guid InvoiceId, DateTimeOffset OccurredAt);
