namespace Billing.Invoicing;

/// <summary>
/// Prices one account's period (DESIGN.md invariant 3). Line order: base fee, then per component in plan order its
/// usage line followed by its tier lines, then one-off charges. Choices beyond the invariant:
/// <list type="bullet">
/// <item>A tiered component is rounded once, on its exact total; its tier lines are each rounded for display and
/// may differ from the usage line by a minor unit. The subtotal adds billable lines only, never tier lines.</item>
/// <item>Tier lines (see <see cref="Breakdown"/>) show a tier's flat fee as a line of its own and a package component
/// as its packages, so every explaining line reads quantity × unit price = amount.</item>
/// <item>A component with zero usage gets no line; a base fee of zero gets no line.</item>
/// <item>Usage of a metric the plan does not price is ignored and listed in <see cref="ComputedInvoice.UnknownMetrics"/>.</item>
/// </list>
/// </summary>
public static class InvoiceCalculator
{
    /// <exception cref="DomainValidationException">invalid plan, tax rate, negative usage, bad charge, or an
    /// amount beyond a 64-bit minor-unit value; nothing of it can succeed on retry.</exception>
    public static ComputedInvoice Compute(PlanDefinition plan, decimal taxRatePercent,
        IReadOnlyDictionary<string, decimal> usageByMetric, IReadOnlyList<OneOffCharge> charges)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(usageByMetric);
        ArgumentNullException.ThrowIfNull(charges);
        CheckInputs(plan, taxRatePercent, usageByMetric, charges);
        var exponent = Currencies.Get(plan.Currency).Exponent;
        var lines = new InvoiceLineBuilder(exponent);

        if (plan.BaseFeeMinor > 0)
            lines.Add(InvoiceLineKinds.BaseFee, null, $"{plan.Name} base fee", 1m,
                Money.ToMajor(plan.BaseFeeMinor, exponent), plan.BaseFeeMinor);

        var anyUsageAmount = false;
        foreach (var component in plan.Components)
        {
            var metric = component.Metric!;
            if (!usageByMetric.TryGetValue(metric, out var quantity) || quantity == 0) continue;
            var field = $"usage[{metric}]";
            var priced = Pricing.Price(component, quantity);
            var amount = lines.Round(priced.Amount, field);
            var unitPrice = component.Model == PricingModel.PerUnit
                ? component.UnitPrice!.Value
                : Checked(() => priced.Amount.DivideRounded(ExactDecimal.From(quantity), Money.MaxPriceDecimals).ToDecimal(), field);
            var parent = lines.Add(InvoiceLineKinds.Usage, metric, component.Label, quantity, unitPrice, amount);
            anyUsageAmount |= amount != 0;
            Breakdown.Add(lines, component, quantity, priced, metric, field, parent);
        }

        for (var i = 0; i < charges.Count; i++)
        {
            var charge = charges[i];
            var amount = lines.Round(ExactDecimal.From(charge.Quantity) * ExactDecimal.From(charge.UnitPrice), $"charges[{i}]");
            lines.Add(InvoiceLineKinds.Charge, null, charge.Description, charge.Quantity, charge.UnitPrice, amount);
        }

        var subtotal = Checked(() => lines.Lines.Where(l => l.IsBillable).Aggregate(0L, (sum, l) => checked(sum + l.AmountMinor)), "subtotal");
        var tax = Checked(() => Money.PercentOf(subtotal, taxRatePercent), "tax");
        var total = Checked(() => checked(subtotal + tax), "total");
        var unknown = usageByMetric.Keys.Where(m => !plan.Components.Any(c => c.Metric == m)).Order(StringComparer.Ordinal).ToArray();
        var isEmpty = plan.BaseFeeMinor == 0 && !anyUsageAmount && charges.Count == 0;
        return new ComputedInvoice(plan.Currency, lines.Lines, subtotal, taxRatePercent, tax, total, unknown, isEmpty);
    }

    private static void CheckInputs(PlanDefinition plan, decimal taxRatePercent,
        IReadOnlyDictionary<string, decimal> usageByMetric, IReadOnlyList<OneOffCharge> charges)
    {
        var errors = new ValidationErrors();
        errors.AddRange(plan.Validate());
        // Same bounds as accounts.tax_rate.
        if (taxRatePercent is < 0 or >= 100) errors.Add("tax_rate", "must be at least 0 and less than 100 (percent)");
        foreach (var (metric, quantity) in usageByMetric)
            if (quantity < 0) errors.Add($"usage[{metric}]", "quantity must not be negative");
        for (var i = 0; i < charges.Count; i++)
        {
            var charge = charges[i];
            if (charge is null)
            {
                errors.Add($"charges[{i}]", "must not be null");
                continue;
            }
            if (string.IsNullOrWhiteSpace(charge.Description)) errors.Add($"charges[{i}].description", "is required");
            if (charge.Quantity <= 0) errors.Add($"charges[{i}].quantity", "must be greater than 0");
            if (Money.DecimalPlaces(charge.UnitPrice) > Money.MaxPriceDecimals)
                errors.Add($"charges[{i}].unit_price", $"must have at most {Money.MaxPriceDecimals} decimals");
        }
        errors.ThrowIfAny();
    }

    internal static T Checked<T>(Func<T> compute, string field)
    {
        try
        {
            return compute();
        }
        catch (OverflowException e)
        {
            throw new DomainValidationException(field, $"amount too large to invoice: {e.Message}");
        }
    }
}
