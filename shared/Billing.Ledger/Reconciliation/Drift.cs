namespace Billing.Ledger;

/// <summary>One difference that needs a person. Expected is the invoice database's value, Actual the other side's.</summary>
public sealed record Drift(string Kind, Guid InvoiceId, Guid AccountId, string? Expected, string? Actual, string Detail);

/// <summary>A difference below one minor unit: rounding of a value reported as a decimal, not a drift.</summary>
public sealed record AcceptableDifference(string Source, Guid InvoiceId, Guid AccountId, decimal Expected, decimal Actual, decimal Difference);
