using System.Globalization;

namespace Billing.Errors;

/// <summary>Minor units to a readable amount for chat. A small table of its own rather than a dependency on
/// the invoicing library: a report must still print for a currency that library does not know yet.</summary>
public static class CurrencyFormat
{
    // Stripe's zero-decimal and three-decimal currencies; everything else has two.
    private static readonly HashSet<string> ZeroDecimal =
        ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];
    private static readonly HashSet<string> ThreeDecimal = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

    public static int DecimalsOf(string currency)
    {
        var code = currency.Trim().ToUpperInvariant();
        return ZeroDecimal.Contains(code) ? 0 : ThreeDecimal.Contains(code) ? 3 : 2;
    }

    /// <summary>"EUR 1,234.56", "JPY 120,000", "KWD 1.250"; exact, since decimal holds any long scaled.</summary>
    public static string Format(string currency, long minor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(currency);
        var decimals = DecimalsOf(currency);
        var major = new decimal(minor) / Pow10(decimals);
        return $"{currency.Trim().ToUpperInvariant()} {major.ToString("N" + decimals, CultureInfo.InvariantCulture)}";
    }

    private static decimal Pow10(int n) => n switch { 0 => 1m, 2 => 100m, 3 => 1000m, _ => throw new ArgumentOutOfRangeException(nameof(n)) };
}
