using System.Collections.Concurrent;
using Billing.Invoicing;

namespace Billing.Invoicing.Infrastructure;

/// <summary>
/// Prices what <see cref="BillingInputLoader"/> read: the one place both the generator and the run preview turn an
/// account's period into an invoice, so a preview's totals are the run's totals on the same data.
/// </summary>
public static class BillingInputPricing
{
    /// <summary>The invoice and the late usage records it bills (marked billed in the invoice's transaction).</summary>
    /// <exception cref="DomainValidationException">the plan, usage or charges cannot be priced.</exception>
    public static (ComputedInvoice Invoice, long[] LateRecordIds) Price(BillingInput input, BillingPeriod period, PlanCache plans)
    {
        PlanDefinition PlanOf(PlanVersion p) => new()
        {
            Code = p.Code, Name = p.Name, Currency = p.Currency, BaseFeeMinor = p.BaseFeeMinor,
            Components = plans.Get(p.PlanId, p.ComponentsJson),
        };
        var (late, lateIds) = input.LateFor(PlanOf);
        return (InvoiceCalculator.Compute(period, input.SpansFor(period, PlanOf), input.TaxRate, input.Charges, late), lateIds);
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
