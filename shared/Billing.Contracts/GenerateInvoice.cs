namespace Billing.Contracts;

/// <summary>Command: compute, store, number and finalize the invoice of one account for one period.</summary>
public record GenerateInvoice(Guid RunId, Guid AccountId, string Period);
