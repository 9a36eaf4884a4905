namespace Billing.Contracts;

/// <summary>Event: the account had nothing to bill for the period; no invoice exists.</summary>
public record InvoiceSkipped(Guid RunId, Guid AccountId, string Period, string Reason);
