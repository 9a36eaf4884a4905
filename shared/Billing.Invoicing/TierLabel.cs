using System.Globalization;

namespace Billing.Invoicing;

/// <summary>"Tier 2 (1,001–10,000)", "Tier 3 (10,001 and above)". Whole-number bounds are shown as the
/// first and last unit they hold; fractional ones (GB-hours) as "over 0.5 up to 2.5", which stays true.</summary>
internal static class TierLabel
{
    public static string For(int index, decimal from, decimal? upTo)
    {
        var whole = from == decimal.Truncate(from) && (upTo is null || upTo == decimal.Truncate(upTo.Value));
        string range;
        if (whole)
            range = upTo is { } top ? $"{Number(from + 1)}–{Number(top)}" : $"{Number(from + 1)} and above";
        else
            range = upTo is { } top ? $"over {Number(from)} up to {Number(top)}" : $"over {Number(from)}";
        return $"Tier {index + 1} ({range})";
    }

    public static string Number(decimal value) => value.ToString("#,0.############", CultureInfo.InvariantCulture);
}
