using System.Globalization;

namespace Billing.Pdf.Rendering;

/// <summary>
/// Number and date formats printed on invoices. Invariant culture and ISO dates: invoices go to finance teams in
/// many countries and "03/04" means two different days depending on who reads it.
/// </summary>
internal static class InvoiceFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly string[] AmountFormats = ["N0", "N1", "N2", "N3", "N4"];
    private const int MaxUnitPriceDecimals = 12;

    public static int Exponent(string currency) =>
        CurrencyExponents.TryGet(currency, out var exponent)
            ? exponent
            : throw new InvoiceDocumentException("Currency", $"unknown ISO 4217 currency code '{currency}'");

    public static string Amount(long minor, int exponent) =>
        decimal.Divide(minor, Pow10(exponent)).ToString(AmountFormats[exponent], Invariant);

    public static string Money(long minor, string currency) => $"{currency} {Amount(minor, Exponent(currency))}";

    /// <summary>At least the currency's decimals, more when the price has them (0.0005 per impression), never trailing noise.</summary>
    public static string UnitPrice(decimal price, int exponent)
    {
        var format = "#,##0" + (exponent > 0 ? "." + new string('0', exponent) + new string('#', MaxUnitPriceDecimals - exponent) : "." + new string('#', MaxUnitPriceDecimals));
        return price.ToString(format, Invariant);
    }

    public static string Quantity(decimal quantity) => quantity.ToString("#,##0.############", Invariant);

    public static string Percent(decimal rate) => rate.ToString("0.####", Invariant) + "%";

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", Invariant);

    private static decimal Pow10(int exponent)
    {
        decimal result = 1;
        for (var i = 0; i < exponent; i++) result *= 10;
        return result;
    }
}
