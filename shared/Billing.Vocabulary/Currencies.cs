using System.Collections.Frozen;

namespace Billing.Vocabulary;

/// <summary>A currency and the size of its minor unit: <see cref="Exponent"/> decimals (EUR 2, JPY 0, KWD 3).</summary>
public sealed record CurrencyInfo(string Code, int Exponent)
{
    /// <summary>What Stripe's <c>amount</c> is in our minor units: 1, except for a currency Stripe still counts in
    /// hundredths although it has none (ISK: 5 krónur are sent as 500).</summary>
    public int StripeFactor { get; init; } = 1;

    /// <summary>Minor units in one major unit: 100 for EUR, 1 for JPY, 1000 for KWD.</summary>
    public decimal MinorPerMajor => Pow10(Exponent);

    /// <summary>12345 minor units → 123.45 (exponent 2); exact.</summary>
    public decimal ToMajor(long minor) => decimal.Divide(minor, Pow10(Exponent));

    /// <summary>123.45 → 12345 (exponent 2).</summary>
    /// <exception cref="ArgumentException">when the amount has more decimals than the currency (1.005 EUR).</exception>
    public long ToMinor(decimal major)
    {
        var minor = major * Pow10(Exponent);
        if (minor != decimal.Truncate(minor))
            throw new ArgumentException($"{major} {Code} has more than {Exponent} decimals", nameof(major));
        return decimal.ToInt64(minor);
    }

    /// <summary>Our minor units as Stripe's <c>amount</c> (ISK 12,345 → 1234500).</summary>
    public long ToStripeAmount(long minor) => checked(minor * StripeFactor);

    /// <summary>Stripe's <c>amount</c> in our minor units (ISK 1234500 → 12,345).</summary>
    /// <exception cref="ArgumentException">when Stripe's amount holds a fraction of our minor unit.</exception>
    public long FromStripeAmount(long amount) =>
        amount % StripeFactor == 0
            ? amount / StripeFactor
            : throw new ArgumentException($"Stripe amount {amount} {Code} is not a whole number of minor units (a multiple of {StripeFactor})", nameof(amount));

    internal static decimal Pow10(int exponent) => exponent switch { 0 => 1m, 2 => 100m, 3 => 1000m, _ => throw new ArgumentOutOfRangeException(nameof(exponent)) };
}

/// <summary>
/// The ISO 4217 currencies billing knows, with their minor units as Stripe counts them: every part (invoicing, PDF,
/// email, ledger, reports, Stripe) reads this one table. Codes are exact upper-case: "eur" is unknown, not a synonym,
/// so that one spelling reaches the database and Stripe. Fund and accounting codes (BOV, CLF, UYI…) are not here.
/// </summary>
public static class Currencies
{
    /// <summary>Stripe's zero-decimal currencies: an amount of 500 JPY is sent as 500.</summary>
    public static readonly IReadOnlyList<string> StripeZeroDecimal =
        ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];

    /// <summary>Stripe's three-decimal currencies: 5.124 KWD is sent as 5124.</summary>
    public static readonly IReadOnlyList<string> StripeThreeDecimal = ["BHD", "JOD", "KWD", "OMR", "TND"];

    /// <summary>Zero-decimal currencies that Stripe still takes as two-decimal amounts ending in 00 (5 ISK is sent as 500).</summary>
    public static readonly IReadOnlyList<string> StripeZeroDecimalSentInHundredths = ["ISK"];

    private const string TwoDecimal =
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF " +
        "CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD " +
        "HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MKD MMK MNT " +
        "MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR " +
        "SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU " +
        "UZS VED VES WST XCD XCG YER ZAR ZMW ZWG";

    private static readonly FrozenDictionary<string, CurrencyInfo> Table = Build();

    public static IReadOnlyCollection<CurrencyInfo> All => Table.Values;

    public static bool TryGet(string? code, out CurrencyInfo info)
    {
        if (code is not null && Table.TryGetValue(code, out var found))
        {
            info = found;
            return true;
        }
        info = null!;
        return false;
    }

    /// <exception cref="ArgumentException">when the code is not a known upper-case ISO 4217 code.</exception>
    public static CurrencyInfo Get(string? code) =>
        TryGet(code, out var info) ? info : throw new ArgumentException(UnknownMessage(code), nameof(code));

    public static bool IsKnown(string? code) => code is not null && Table.ContainsKey(code);

    public static string UnknownMessage(string? code) =>
        $"unknown currency '{code}'; expected an upper-case ISO 4217 code such as EUR or JPY";

    private static FrozenDictionary<string, CurrencyInfo> Build()
    {
        var table = new Dictionary<string, CurrencyInfo>(StringComparer.Ordinal);
        foreach (var code in TwoDecimal.Split(' ', StringSplitOptions.RemoveEmptyEntries)) table.Add(code, new(code, 2));
        foreach (var code in StripeZeroDecimal) table.Add(code, new(code, 0));
        foreach (var code in StripeThreeDecimal) table.Add(code, new(code, 3));
        foreach (var code in StripeZeroDecimalSentInHundredths) table.Add(code, new(code, 0) { StripeFactor = 100 });
        return table.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
