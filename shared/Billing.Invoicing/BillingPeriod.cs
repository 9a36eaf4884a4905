using System.Diagnostics.CodeAnalysis;

namespace Billing.Invoicing;

/// <summary>A calendar month in UTC, written "2026-10" (the <c>period char(7)</c> columns). Parsing is strict:
/// exactly four digits, a dash, two digits, month 01–12, so one period has exactly one spelling.
/// Obtain one from <see cref="Parse"/>, <see cref="TryParse"/> or <see cref="Of"/>: <c>default</c> is month 0 and invalid.</summary>
public readonly record struct BillingPeriod : IComparable<BillingPeriod>
{
    private BillingPeriod(int year, int month)
    {
        Year = year;
        Month = month;
    }

    public int Year { get; }
    public int Month { get; }

    /// <summary>First instant of the month, UTC.</summary>
    public DateTimeOffset Start => new(Year, Month, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>First instant of the next month, UTC (exclusive).</summary>
    public DateTimeOffset End => Start.AddMonths(1);

    public bool HasEnded(DateTimeOffset now) => now >= End;

    /// <summary>The first day of the month.</summary>
    public DateOnly FirstDay => new(Year, Month, 1);

    /// <summary>The last day of the month (inclusive).</summary>
    public DateOnly LastDay => new(Year, Month, DaysInMonth);

    public int DaysInMonth => DateTime.DaysInMonth(Year, Month);

    public bool Contains(DateOnly day) => day >= FirstDay && day <= LastDay;

    /// <summary>"Oct 2026", as invoice lines name a month.</summary>
    public string Label => FirstDay.ToString("MMM yyyy", System.Globalization.CultureInfo.InvariantCulture);

    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;

    public BillingPeriod Next() => Of(Start.AddMonths(1));

    public BillingPeriod Before() => Of(Start.AddMonths(-1));

    /// <summary>The month <paramref name="now"/> falls in, taken in UTC.</summary>
    public static BillingPeriod Of(DateOnly day) => new(day.Year, day.Month);

    public static BillingPeriod Of(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        return new BillingPeriod(utc.Year, utc.Month);
    }

    /// <summary>The last month that has fully ended at <paramref name="now"/>: what a monthly run bills.</summary>
    public static BillingPeriod Previous(DateTimeOffset now) => Of(now).Before();

    public static bool TryParse([NotNullWhen(true)] string? text, out BillingPeriod period)
    {
        period = default;
        if (text is not { Length: 7 } || text[4] != '-') return false;
        if (!TryDigits(text.AsSpan(0, 4), out var year) || !TryDigits(text.AsSpan(5, 2), out var month)) return false;
        // Year 1 and 9999 are excluded so that Before() and End stay representable.
        if (year is < 2 or > 9998 || month is < 1 or > 12) return false;
        period = new BillingPeriod(year, month);
        return true;
    }

    /// <exception cref="DomainValidationException">field <c>period</c>.</exception>
    public static BillingPeriod Parse(string? text) =>
        TryParse(text, out var period)
            ? period
            : throw new DomainValidationException("period", $"'{text}' is not a period; expected yyyy-MM such as 2026-10");

    public int CompareTo(BillingPeriod other) => (Year * 12 + Month).CompareTo(other.Year * 12 + other.Month);

    public override string ToString() => $"{Year:D4}-{Month:D2}";

    // char.IsAsciiDigit: int.Parse would accept signs, spaces and other scripts' digits.
    private static bool TryDigits(ReadOnlySpan<char> span, out int value)
    {
        value = 0;
        foreach (var c in span)
        {
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }
}
