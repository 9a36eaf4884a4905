namespace Billing.Pdf;

/// <summary>
/// ISO 4217 minor-unit exponents. Kept here on purpose so rendering has no dependency on the invoicing domain;
/// only the exponent matters for printing.
/// </summary>
internal static class CurrencyExponents
{
    private const string ZeroDecimal = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
    private const string ThreeDecimal = "BHD IQD JOD KWD LYD OMR TND";
    private const string FourDecimal = "CLF UYW";
    private const string TwoDecimal =
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF " +
        "CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD " +
        "HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT " +
        "MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR " +
        "SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU " +
        "UZS VED VES WST XCD XCG YER ZAR ZMW ZWG";

    private static readonly Dictionary<string, int> Exponents = Build();

    public static bool TryGet(string currency, out int exponent) => Exponents.TryGetValue(currency, out exponent);

    private static Dictionary<string, int> Build()
    {
        var table = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (codes, exponent) in new[] { (TwoDecimal, 2), (ZeroDecimal, 0), (ThreeDecimal, 3), (FourDecimal, 4) })
        {
            foreach (var code in codes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                table[code] = exponent;
        }
        return table;
    }
}
