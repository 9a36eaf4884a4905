using System.Collections.Concurrent;
using Billing.Invoicing;

namespace Billing.Runs;

/// <summary>
/// Prices what <see cref="BillingInputLoader"/> read: the one place both the generator and the run preview turn an
/// account's period into an invoice, so a preview's totals are the run's totals on the same data.
/// </summary>
public static class BillingInputPricing
{
    /// <exception cref="DomainValidationException">the plan, usage or charges cannot be priced.</exception>
    public static ComputedInvoice Price(BillingInput input, PlanCache plans)
    {
        var plan = new PlanDefinition
        {
            Code = input.PlanCode,
            Name = input.PlanName,
            Currency = input.Currency,
            BaseFeeMinor = input.BaseFeeMinor,
            Components = plans.Get(input.PlanId, input.ComponentsJson),
        };
        return InvoiceCalculator.Compute(plan, input.TaxRate, input.Usage, input.Charges);
    }
}

/// <summary>Parsed plan components by plan id, parsed again when the stored JSON changes.</summary>
public sealed class PlanCache
{
    private readonly ConcurrentDictionary<Guid, (string Json, IReadOnlyList<MeteredComponent> Components)> _plans = new();

    /// <exception cref="DomainValidationException">the stored components are invalid.</exception>
    public IReadOnlyList<MeteredComponent> Get(Guid planId, string json)
    {
        if (_plans.TryGetValue(planId, out var cached) && cached.Json == json) return cached.Components;
        var components = PlanComponentsJson.Parse(json);
        _plans[planId] = (json, components);
        return components;
    }
}
