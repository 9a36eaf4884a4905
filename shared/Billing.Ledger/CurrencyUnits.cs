using System.Globalization;

namespace Billing.Ledger;

/// <summary>Minor-unit exponents, following the currencies Stripe treats as zero- and three-decimal.</summary>
public static class CurrencyUnits
{
    static readonly HashSet<string> ZeroDecimal =
        ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];

    static readonly HashSet<string> ThreeDecimal = ["BHD", "JOD", "KWD", "OMR", "TND"];

    public static bool IsValidCode(string? currency) =>
        currency is { Length: 3 } && currency.All(c => c is >= 'A' and <= 'Z');

    /// <summary>Upper-cases and validates a currency code; a bad one is a rule violation, not a retryable error.</summary>
    public static string Normalize(string? currency)
    {
        var code = currency?.Trim().ToUpperInvariant();
        if (!IsValidCode(code))
            throw new LedgerRuleException($"currency '{currency}' is not a three-letter ISO code");
        return code!;
    }

    public static int Exponent(string currency) =>
        ZeroDecimal.Contains(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;

    /// <summary>Minor units as a major-unit decimal string with the currency's decimals, e.g. 12345 USD → "123.45".</summary>
    public static string FormatMajor(long minor, string currency)
    {
        var exponent = Exponent(currency);
        var major = minor / Pow10(exponent);
        return major.ToString("F" + exponent.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    static decimal Pow10(int exponent) => exponent switch { 0 => 1m, 2 => 100m, 3 => 1000m, _ => throw new ArgumentOutOfRangeException(nameof(exponent)) };
}
