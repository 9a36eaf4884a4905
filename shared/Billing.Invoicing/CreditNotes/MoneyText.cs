using System.Globalization;

namespace Billing.Invoicing.CreditNotes;

/// <summary>Money as operators read it in messages and the CLI: "EUR 14,002.22", "JPY 1,235".</summary>
public static class MoneyText
{
    public static string Format(long minor, string currency)
    {
        var info = Currencies.Get(currency.Trim());
        return info.Code + " " + Money.ToMajor(minor, info.Exponent).ToString("N" + info.Exponent, CultureInfo.InvariantCulture);
    }
}
