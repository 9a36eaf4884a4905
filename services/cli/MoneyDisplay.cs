using Billing.Vocabulary;

namespace Billing.Cli;

/// <summary>
/// Money as the CLI shows it: "EUR 14,002.22", "JPY 1,235", a change "EUR +10.00". A currency this CLI does not know (a
/// newer server's) shows its code and the minor units as they came, never a guessed amount.
/// </summary>
public static class MoneyDisplay
{
    /// <summary>"EUR 14,002.22"; with <paramref name="signed"/>, a gain carries its sign: "EUR +10.00".</summary>
    public static string Text(long minor, string currency, bool signed = false)
    {
        if (!Currencies.IsKnown(currency)) return $"{currency} {minor} (minor units)";
        return signed && minor > 0 ? $"{currency} +{MoneyText.Amount(minor, currency)}" : MoneyText.Format(minor, currency);
    }

    /// <summary>The amount alone, in a column whose currency is shown elsewhere: "17.50", JPY "1,235".</summary>
    public static string Amount(long minor, string currency) =>
        Currencies.IsKnown(currency) ? MoneyText.Amount(minor, currency) : Wire.Text(minor);
}
