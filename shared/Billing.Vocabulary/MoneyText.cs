using System.Globalization;

namespace Billing.Vocabulary;

/// <summary>
/// Minor units as text, with the currency's own decimals and invariant culture, for every reader: people
/// (<see cref="Format"/>: "EUR 14,002.22", "JPY 5,174", "ISK 12,345") and files (<see cref="Plain"/>: "14002.22").
/// </summary>
public static class MoneyText
{
    private static readonly string[] Grouped = ["N0", "N1", "N2", "N3"];
    private static readonly string[] Ungrouped = ["F0", "F1", "F2", "F3"];

    /// <summary>"EUR 14,002.22", "JPY 5,174", "KWD -0.001".</summary>
    /// <exception cref="ArgumentException">when the currency is unknown.</exception>
    public static string Format(long minor, string currency)
    {
        var info = Info(currency);
        return info.Code + " " + info.ToMajor(minor).ToString(Grouped[info.Exponent], CultureInfo.InvariantCulture);
    }

    /// <summary>The number alone, as printed in an invoice's columns: "14,002.22", "5,174".</summary>
    public static string Amount(long minor, string currency)
    {
        var info = Info(currency);
        return info.ToMajor(minor).ToString(Grouped[info.Exponent], CultureInfo.InvariantCulture);
    }

    /// <summary>A plain decimal for exports and JSON: "14002.22", "5174", "-0.050".</summary>
    public static string Plain(long minor, string currency)
    {
        var info = Info(currency);
        return info.ToMajor(minor).ToString(Ungrouped[info.Exponent], CultureInfo.InvariantCulture);
    }

    private static CurrencyInfo Info(string currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        return Currencies.Get(currency.Trim());
    }
}
