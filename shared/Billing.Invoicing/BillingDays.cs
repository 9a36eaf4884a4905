using System.Globalization;

namespace Billing.Invoicing;

/// <summary>
/// Which days of a period an account is billed for, and with which plan (docs/architecture.md, Billing days). Dates
/// are UTC days; a billing start and end are both billed (inclusive). A plan timeline is a list of (effective_on, plan)
/// in date order: a plan is in force from its day until the next one's; before the first row the first plan applies.
/// </summary>
public static class BillingDays
{
    /// <summary>True when at least one day of <paramref name="period"/> lies between start and end.</summary>
    public static bool IsBillable(BillingPeriod period, DateOnly startsOn, DateOnly? endsOn) =>
        startsOn <= period.LastDay && (endsOn is not { } end || end >= period.FirstDay);

    /// <summary>The billed days of the period split by the plan in force; empty when none is billed.</summary>
    public static IReadOnlyList<(DateOnly From, DateOnly To, T Plan)> Spans<T>(BillingPeriod period, DateOnly startsOn, DateOnly? endsOn,
        IReadOnlyList<(DateOnly EffectiveOn, T Plan)> timeline)
    {
        if (timeline.Count == 0) throw new ArgumentException("an account has at least one plan", nameof(timeline));
        if (!IsBillable(period, startsOn, endsOn)) return [];
        var from = Max(startsOn, period.FirstDay);
        var to = endsOn is { } end && end < period.LastDay ? end : period.LastDay;
        var spans = new List<(DateOnly, DateOnly, T)>();
        var day = from;
        while (day <= to)
        {
            var (_, plan, next) = InForce(timeline, day);
            var last = next is { } n && n.AddDays(-1) < to ? n.AddDays(-1) : to;
            spans.Add((day, last, plan));
            day = last.AddDays(1);
        }
        return spans;
    }

    /// <summary>The plan in force on <paramref name="day"/>.</summary>
    public static T PlanOn<T>(IReadOnlyList<(DateOnly EffectiveOn, T Plan)> timeline, DateOnly day) => InForce(timeline, day).Plan;

    /// <summary>"12–30 Nov 2026", "12 Nov 2026" for one day.</summary>
    public static string Range(DateOnly from, DateOnly to)
    {
        var c = CultureInfo.InvariantCulture;
        if (from == to) return from.ToString("d MMM yyyy", c);
        if (from.Year == to.Year && from.Month == to.Month) return $"{from.Day}–{to.ToString("d MMM yyyy", c)}";
        return $"{from.ToString("d MMM yyyy", c)} – {to.ToString("d MMM yyyy", c)}";
    }

    /// <summary>round_half_away(base × days / days_in_month), exactly, in minor units.</summary>
    public static long Prorate(long baseFeeMinor, int days, int daysInMonth)
    {
        if (baseFeeMinor < 0) throw new ArgumentOutOfRangeException(nameof(baseFeeMinor), "a base fee is not negative");
        if (days < 0 || days > daysInMonth) throw new ArgumentOutOfRangeException(nameof(days));
        return (long)ExactDecimal.DivideHalfAwayFromZero((System.Numerics.BigInteger)baseFeeMinor * days, daysInMonth);
    }

    private static (DateOnly EffectiveOn, T Plan, DateOnly? NextChange) InForce<T>(IReadOnlyList<(DateOnly EffectiveOn, T Plan)> timeline, DateOnly day)
    {
        var i = 0;
        for (var j = 1; j < timeline.Count; j++)
            if (timeline[j].EffectiveOn <= day) i = j;
        // Before the first row's day the first plan applies too (i stays 0), until the second row.
        DateOnly? next = i + 1 < timeline.Count ? timeline[i + 1].EffectiveOn : null;
        return (timeline[i].EffectiveOn, timeline[i].Plan, next);
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
}
