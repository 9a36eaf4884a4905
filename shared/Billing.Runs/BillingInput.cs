using Billing.Invoicing;

namespace Billing.Runs;

/// <summary>The invoice already stored for an account and period.</summary>
public sealed record ExistingInvoice(Guid Id, Guid? RunId, string Number, long TotalMinor, string Currency);

/// <summary>Everything needed to price one account's period, read in one round trip.</summary>
public sealed record BillingInput(
    ExistingInvoice? Existing,
    bool AccountFound,
    string Issuer,
    decimal TaxRate,
    Guid PlanId,
    string PlanCode,
    string PlanName,
    string Currency,
    long BaseFeeMinor,
    string ComponentsJson,
    IReadOnlyDictionary<string, decimal> Usage,
    IReadOnlyList<OneOffCharge> Charges);
