using System.Globalization;

namespace Billing.Invoicing;

/// <summary>The currencies we invoice in. Codes are exact upper-case ISO 4217: "eur" is an error,
/// not a synonym, so that one spelling reaches the database and Stripe.</summary>
public static class Currencies
{
    private static readonly Dictionary<string, CurrencyInfo> Table = new CurrencyInfo[]
    {
        new("USD", 2, "US Dollar"), new("EUR", 2, "Euro"), new("GBP", 2, "Pound Sterling"),
        new("CHF", 2, "Swiss Franc"), new("JPY", 0, "Yen"), new("KRW", 0, "Won"),
        new("CAD", 2, "Canadian Dollar"), new("AUD", 2, "Australian Dollar"), new("NZD", 2, "New Zealand Dollar"),
        new("SEK", 2, "Swedish Krona"), new("NOK", 2, "Norwegian Krone"), new("DKK", 2, "Danish Krone"),
        new("PLN", 2, "Zloty"), new("CZK", 2, "Czech Koruna"), new("HUF", 2, "Forint"),
        new("BRL", 2, "Brazilian Real"), new("MXN", 2, "Mexican Peso"), new("INR", 2, "Indian Rupee"),
        new("CNY", 2, "Yuan Renminbi"), new("HKD", 2, "Hong Kong Dollar"), new("SGD", 2, "Singapore Dollar"),
        new("ZAR", 2, "Rand"), new("BHD", 3, "Bahraini Dinar"), new("KWD", 3, "Kuwaiti Dinar"),
        new("JOD", 3, "Jordanian Dinar"), new("TND", 3, "Tunisian Dinar"), new("ISK", 0, "Iceland Krona"),
        new("CLP", 0, "Chilean Peso"), new("VND", 0, "Dong"),
    }.ToDictionary(c => c.Code, StringComparer.Ordinal);

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

    /// <exception cref="DomainValidationException">field <c>currency</c> when the code is unknown.</exception>
    public static CurrencyInfo Get(string? code) =>
        TryGet(code, out var info)
            ? info
            : throw new DomainValidationException("currency", UnknownMessage(code));

    internal static string UnknownMessage(string? code) =>
        $"unknown currency '{code}'; expected an upper-case ISO 4217 code such as EUR or JPY";

    /// <summary>"1,234.56 EUR", "1,235 JPY", "-0.50 USD": invariant culture, always all minor digits.</summary>
    public static string Format(long minor, string currency)
    {
        var info = Get(currency);
        var major = Money.ToMajor(minor, info.Exponent);
        return major.ToString("N" + info.Exponent, CultureInfo.InvariantCulture) + " " + info.Code;
    }
}
