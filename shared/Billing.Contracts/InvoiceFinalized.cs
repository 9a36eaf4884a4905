namespace Billing.Contracts;

public record InvoiceFinalized(Guid InvoiceId, Guid RunId, Guid AccountId, string Period, string InvoiceNumber, long TotalMinor, string Currency);
