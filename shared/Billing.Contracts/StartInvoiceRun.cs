namespace Billing.Contracts;

/// <summary>Command: fan out one <see cref="GenerateInvoice"/> per billable account of the period.</summary>
public record StartInvoiceRun(Guid RunId, string Period, DateTimeOffset RequestedAt);
