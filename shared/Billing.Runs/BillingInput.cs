using Billing.Invoicing;

namespace Billing.Runs;

/// <summary>The invoice already stored for an account and period.</summary>
public sealed record ExistingInvoice(Guid Id, Guid? RunId, string Number, long TotalMinor, string Currency);

/// <summary>A row of the account's plan timeline (<c>account_plans</c>) with its plan.</summary>
public sealed record PlanVersion(DateOnly EffectiveOn, Guid PlanId, string Code, string Name, string Currency, long BaseFeeMinor, string ComponentsJson);

/// <summary>Usage of one metric on one UTC day of the period.</summary>
public sealed record UsageOnDay(string Metric, DateOnly Day, decimal Quantity);

/// <summary>Everything needed to price one account's period, read in one round trip.</summary>
public sealed record BillingInput(
    ExistingInvoice? Existing,
    bool AccountFound,
    string Issuer,
    decimal TaxRate,
    DateOnly BillingStartsOn,
    DateOnly? BillingEndsOn,
    IReadOnlyList<PlanVersion> Plans,
    IReadOnlyList<UsageOnDay> Usage,
    IReadOnlyList<OneOffCharge> Charges)
{
    /// <summary>The plan of the latest timeline row (the account's current plan).</summary>
    public PlanVersion? CurrentPlan => Plans.Count == 0 ? null : Plans[^1];

    /// <summary>The period's usage summed by metric, whatever plan was in force.</summary>
    public IReadOnlyDictionary<string, decimal> UsageByMetric =>
        Usage.GroupBy(u => u.Metric, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(u => u.Quantity), StringComparer.Ordinal);

    public bool IsBillableIn(BillingPeriod period) => AccountFound && BillingDays.IsBillable(period, BillingStartsOn, BillingEndsOn);

    /// <summary>
    /// The billed days of the period split by the plan in force, each with the usage that occurred while it was in
    /// force; usage recorded before the first or after the last billed day counts with the nearest span (usage is
    /// billed as recorded). Empty when the account is not billable in the period.
    /// </summary>
    /// <exception cref="DomainValidationException">from <paramref name="planOf"/>: a stored plan is invalid.</exception>
    public IReadOnlyList<PlanSpan> SpansFor(BillingPeriod period, Func<PlanVersion, PlanDefinition> planOf)
    {
        if (!IsBillableIn(period) || Plans.Count == 0) return [];
        var spans = BillingDays.Spans(period, BillingStartsOn, BillingEndsOn, Plans.Select(p => (p.EffectiveOn, p)).ToList());
        var usage = spans.Select(_ => new Dictionary<string, decimal>(StringComparer.Ordinal)).ToArray();
        foreach (var u in Usage)
        {
            var i = 0;
            while (i < spans.Count - 1 && u.Day > spans[i].To) i++;
            usage[i][u.Metric] = usage[i].GetValueOrDefault(u.Metric) + u.Quantity;
        }
        return spans.Select((s, i) => new PlanSpan(planOf(s.Plan), s.From, s.To, usage[i])).ToList();
    }
}
