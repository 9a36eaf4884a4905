using Billing.Invoicing;

namespace Billing.Catalogue;

/// <summary>A validated <c>POST /api/accounts</c> body; the plan is resolved (and the currency checked against it) by the store.
/// No <see cref="BillingStartsOn"/>: the day the account is created (UTC).</summary>
public sealed record NewAccount(
    string Name, string BillingEmail, Address Address, string? Currency, string Plan, decimal TaxRate,
    string? StripeCustomerId, string? ExternalRef, string Issuer, DateOnly? BillingStartsOn = null, DateOnly? BillingEndsOn = null);

/// <summary>A validated usage record; <see cref="Period"/> is the UTC month of <see cref="OccurredAt"/>.</summary>
public sealed record NewUsageRecord(Guid AccountId, string Metric, decimal Quantity, DateTimeOffset OccurredAt, string IdempotencyKey)
{
    public BillingPeriod Period => BillingPeriod.Of(OccurredAt);
}

public sealed record NewCharge(string Description, decimal Quantity, decimal UnitPrice, BillingPeriod Period, string? IdempotencyKey);
