using Billing.Invoicing;

namespace Billing.Invoicing.Infrastructure;

/// <summary>The invoice already stored for an account and period.</summary>
public sealed record ExistingInvoice(Guid Id, Guid? RunId, string Number, long TotalMinor, string Currency);

/// <summary>A row of the account's plan timeline (<c>account_plans</c>) with its plan.</summary>
public sealed record PlanVersion(DateOnly EffectiveOn, Guid PlanId, string Code, string Name, string Currency, long BaseFeeMinor, string ComponentsJson);

/// <summary>Usage of one metric on one UTC day of the period.</summary>
public sealed record UsageOnDay(string Metric, DateOnly Day, decimal Quantity);

/// <summary>Usage of an earlier period on one UTC day and metric, for a metric with late records not yet billed:
/// what was already invoiced (on time, or late on an earlier invoice) and the late records still to bill.</summary>
public sealed record LateUsageOnDay(string Period, string Metric, DateOnly Day, decimal Invoiced, decimal Fresh, long[] FreshIds);

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
    IReadOnlyList<OneOffCharge> Charges,
    IReadOnlyList<LateUsageOnDay> Late)
{
    /// <summary>
    /// Late usage to bill on this invoice, one entry per (period, plan in force, metric), with the ids of its records
    /// (to mark billed in the invoice's transaction). Tiers count from what that period already invoiced.
    /// </summary>
    public (IReadOnlyList<LateUsage> Usage, long[] RecordIds) LateFor(Func<PlanVersion, PlanDefinition> planOf)
    {
        if (Late.Count == 0 || Plans.Count == 0) return ([], []);
        var timeline = Plans.Select(p => (p.EffectiveOn, p)).ToList();
        var groups = Late.GroupBy(l => (l.Period, Plan: BillingDays.PlanOn(timeline, l.Day), l.Metric))
            .Where(g => g.Sum(x => x.Fresh) > 0)
            .Select(g => (Usage: new LateUsage(BillingPeriod.Parse(g.Key.Period.Trim()), planOf(g.Key.Plan), g.Key.Metric, g.Sum(x => x.Invoiced), g.Sum(x => x.Fresh)),
                Ids: g.SelectMany(x => x.FreshIds)))
            .ToList();
        return (groups.Select(g => g.Usage).ToList(), groups.SelectMany(g => g.Ids).ToArray());
    }

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
