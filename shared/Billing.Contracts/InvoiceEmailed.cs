namespace Billing.Contracts;

public record InvoiceEmailed(Guid InvoiceId, Guid RunId, Guid AccountId, string MessageId, DateTimeOffset AcceptedAt, string Reason);
