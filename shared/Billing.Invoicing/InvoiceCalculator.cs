namespace Billing.Invoicing;

/// <summary>
/// Prices one account's period (docs/architecture.md, Money). Line order: base fee, then per component in plan order
/// its usage line followed by its tier lines, then one-off charges. Choices beyond those rules:
/// <list type="bullet">
/// <item>A tiered component is rounded once, on its exact total; its tier lines are each rounded for display and
/// may differ from the usage line by a minor unit. The subtotal adds billable lines only, never tier lines.</item>
/// <item>Tier lines (see <see cref="Breakdown"/>) show a tier's flat fee as a line of its own and a package component
/// as its packages, so every explaining line reads quantity × unit price = amount.</item>
/// <item>A component with zero usage gets no line; a base fee of zero gets no line.</item>
/// <item>Usage of a metric the plan does not price is ignored and listed in <see cref="ComputedInvoice.UnknownMetrics"/>.</item>
/// <item>Over time (<see cref="Compute(BillingPeriod, IReadOnlyList{PlanSpan}, decimal, IReadOnlyList{OneOffCharge}, IReadOnlyList{LateUsage}?)"/>):
/// each plan span gets its base fee, prorated by its days when it does not cover the month, and its usage lines
/// (named with the plan and days when the period has several plans); then late usage lines; then charges.</item>
/// </list>
/// </summary>
public static class InvoiceCalculator
{
    /// <summary>A whole month on one plan.</summary>
    /// <exception cref="DomainValidationException">invalid plan, tax rate, negative usage, bad charge, or an
    /// amount beyond a 64-bit minor-unit value; nothing of it can succeed on retry.</exception>
    public static ComputedInvoice Compute(PlanDefinition plan, decimal taxRatePercent,
        IReadOnlyDictionary<string, decimal> usageByMetric, IReadOnlyList<OneOffCharge> charges)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(usageByMetric);
        return Build([new Segment(plan, usageByMetric, null, null)], taxRatePercent, charges, []);
    }

    /// <summary>The billed days of <paramref name="period"/>, one span per plan in force, plus late usage of earlier periods.</summary>
    /// <exception cref="DomainValidationException">as the one-plan overload; also spans outside the period,
    /// overlapping or out of order, or plans in different currencies.</exception>
    public static ComputedInvoice Compute(BillingPeriod period, IReadOnlyList<PlanSpan> spans, decimal taxRatePercent,
        IReadOnlyList<OneOffCharge> charges, IReadOnlyList<LateUsage>? late = null)
    {
        ArgumentNullException.ThrowIfNull(spans);
        late ??= [];
        var errors = new ValidationErrors();
        if (spans.Count == 0) errors.Add("spans", "at least one span of billed days is required");
        for (var i = 0; i < spans.Count; i++)
        {
            var s = spans[i];
            if (s is null || s.Plan is null || s.Usage is null) { errors.Add($"spans[{i}]", "must have a plan and usage"); continue; }
            if (s.From > s.To || !period.Contains(s.From) || !period.Contains(s.To))
                errors.Add($"spans[{i}]", $"{s.From:yyyy-MM-dd}..{s.To:yyyy-MM-dd} is not a range of days of {period}");
            else if (i > 0 && spans[i - 1] is { } before && s.From <= before.To)
                errors.Add($"spans[{i}]", "overlaps or precedes the span before it");
        }
        var currencies = spans.Where(s => s?.Plan is not null).Select(s => s.Plan.Currency)
            .Concat(late.Where(l => l?.Plan is not null).Select(l => l.Plan.Currency)).Distinct().ToList();
        if (currencies.Count > 1) errors.Add("plans", $"an invoice has one currency; these plans use {string.Join(", ", currencies)}");
        for (var i = 0; i < late.Count; i++)
            if (late[i] is not { } l || l.Plan is null || string.IsNullOrEmpty(l.Metric)) errors.Add($"late[{i}]", "must have a plan and a metric");
            else if (l.InvoicedQuantity < 0 || l.LateQuantity < 0) errors.Add($"late[{i}]", "quantities must not be negative");
        errors.ThrowIfAny();

        var days = period.DaysInMonth;
        var several = spans.Count > 1;
        var segments = spans.Select(s =>
        {
            var range = BillingDays.Range(s.From, s.To);
            var count = s.To.DayNumber - s.From.DayNumber + 1;
            return new Segment(s.Plan, s.Usage, count == days ? null : (count, days, range), several ? range : null);
        }).ToList();
        return Build(segments, taxRatePercent, charges, late);
    }

    /// <param name="Proration">null for the whole month; otherwise the billed days, the month's days and their range.</param>
    /// <param name="UsageRange">the days named on usage lines when the period has several plans.</param>
    private sealed record Segment(PlanDefinition Plan, IReadOnlyDictionary<string, decimal> Usage,
        (int Days, int DaysInMonth, string Range)? Proration, string? UsageRange);

    private static ComputedInvoice Build(IReadOnlyList<Segment> segments, decimal taxRatePercent,
        IReadOnlyList<OneOffCharge> charges, IReadOnlyList<LateUsage> late)
    {
        ArgumentNullException.ThrowIfNull(charges);
        foreach (var segment in segments) CheckInputs(segment.Plan, taxRatePercent, segment.Usage, charges);
        foreach (var plan in late.Select(l => l.Plan).Distinct()) plan.EnsureValid();
        var currency = segments[0].Plan.Currency;
        var exponent = InvoiceCurrency.Get(currency).Exponent;
        var lines = new InvoiceLineBuilder(exponent);

        var anyUsageAmount = false;
        var anyBaseFee = false;
        foreach (var segment in segments)
        {
            var plan = segment.Plan;
            if (plan.BaseFeeMinor > 0)
            {
                anyBaseFee = true;
                if (segment.Proration is not { } p)
                    lines.Add(InvoiceLineKinds.BaseFee, null, $"{plan.Name} base fee", 1m, Money.ToMajor(plan.BaseFeeMinor, exponent), plan.BaseFeeMinor);
                else
                {
                    var fee = BillingDays.Prorate(plan.BaseFeeMinor, p.Days, p.DaysInMonth);
                    lines.Add(InvoiceLineKinds.BaseFee, null, $"{plan.Name} base fee, {p.Range} ({p.Days} of {p.DaysInMonth} days)", 1m,
                        Money.ToMajor(fee, exponent), fee);
                }
            }

            foreach (var component in plan.Components)
            {
                var metric = component.Metric!;
                if (!segment.Usage.TryGetValue(metric, out var quantity) || quantity == 0) continue;
                var field = $"usage[{metric}]";
                var priced = Pricing.Price(component, quantity);
                var amount = lines.Round(priced.Amount, field);
                var label = segment.UsageRange is { } range ? $"{component.Label} ({plan.Name}, {range})" : component.Label;
                var parent = lines.Add(InvoiceLineKinds.Usage, metric, label, quantity, UnitPrice(component, priced.Amount, quantity, field), amount);
                anyUsageAmount |= amount != 0;
                Breakdown.Add(lines, component, quantity, priced, metric, field, parent);
            }
        }

        // Late usage: what the period's plan charges for everything recorded minus what was already invoiced, so a
        // quantity that crosses a tier boundary is priced as if it had arrived on time.
        var lateUnknown = new List<string>();
        foreach (var l in late.OrderBy(l => l.Period).ThenBy(l => l.Metric, StringComparer.Ordinal))
        {
            if (l.LateQuantity == 0) continue;
            var component = l.Plan.Components.FirstOrDefault(c => c.Metric == l.Metric);
            if (component is null)
            {
                lateUnknown.Add(l.Metric);
                continue;
            }
            var field = $"late[{l.Period}][{l.Metric}]";
            var amount = Checked(() => checked(lines.Round(Pricing.Price(component, l.InvoicedQuantity + l.LateQuantity).Amount, field)
                - lines.Round(Pricing.Price(component, l.InvoicedQuantity).Amount, field)), field);
            var unitPrice = component.Model == PricingModel.PerUnit
                ? component.UnitPrice!.Value
                : Checked(() => ExactDecimal.FromMinor(amount, exponent).DivideRounded(ExactDecimal.From(l.LateQuantity), Money.MaxPriceDecimals).ToDecimal(), field);
            lines.Add(InvoiceLineKinds.Usage, l.Metric, $"{component.Label} for {l.Period.Label}, received after invoicing", l.LateQuantity, unitPrice, amount);
            anyUsageAmount |= amount != 0;
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
        var unknown = segments.SelectMany(s => s.Usage.Keys.Where(m => !s.Plan.Components.Any(c => c.Metric == m)))
            .Concat(lateUnknown).Distinct().Order(StringComparer.Ordinal).ToArray();
        var isEmpty = !anyBaseFee && !anyUsageAmount && charges.Count == 0;
        return new ComputedInvoice(currency, lines.Lines, subtotal, taxRatePercent, tax, total, unknown, isEmpty);
    }

    private static decimal UnitPrice(MeteredComponent component, ExactDecimal amount, decimal quantity, string field) =>
        component.Model == PricingModel.PerUnit
            ? component.UnitPrice!.Value
            : Checked(() => amount.DivideRounded(ExactDecimal.From(quantity), Money.MaxPriceDecimals).ToDecimal(), field);

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
