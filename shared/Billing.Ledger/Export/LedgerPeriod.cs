using System.Globalization;

namespace Billing.Ledger;

/// <summary>A calendar month in UTC, written <c>yyyy-MM</c> like invoice periods.</summary>
public readonly record struct LedgerPeriod(int Year, int Month)
{
    public DateTimeOffset Start => new(Year, Month, 1, 0, 0, 0, TimeSpan.Zero);
    public DateTimeOffset End => Start.AddMonths(1);

    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;

    public static LedgerPeriod Parse(string? period)
    {
        if (period is null || !DateTime.TryParseExact(period, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month))
            throw new ArgumentException($"period '{period}' is not a month written yyyy-MM (e.g. 2026-10)", nameof(period));
        return new(month.Year, month.Month);
    }

    public override string ToString() => $"{Year:D4}-{Month:D2}";
}
