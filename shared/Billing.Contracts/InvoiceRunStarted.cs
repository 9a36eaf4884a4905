namespace Billing.Contracts;

public record InvoiceRunStarted(Guid RunId, string Period, int Accounts, DateTimeOffset StartedAt);
