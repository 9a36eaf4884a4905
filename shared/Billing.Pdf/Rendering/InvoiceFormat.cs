using System.Globalization;

namespace Billing.Pdf.Rendering;

/// <summary>
/// Number and date formats printed on invoices. Invariant culture and ISO dates: invoices go to finance teams in
/// many countries and "03/04" means two different days depending on who reads it.
/// </summary>
internal static class InvoiceFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private const int MaxUnitPriceDecimals = 12;

    /// <summary>Decimals of the currency; amounts themselves are printed by <see cref="MoneyText"/>.</summary>
    public static int Exponent(string currency) =>
        Currencies.TryGet(currency, out var info)
            ? info.Exponent
            : throw new InvoiceDocumentException("Currency", Currencies.UnknownMessage(currency));

    /// <summary>At least the currency's decimals, more when the price has them (0.0005 per impression), never trailing noise.</summary>
    public static string UnitPrice(decimal price, int exponent)
    {
        var format = "#,##0" + (exponent > 0 ? "." + new string('0', exponent) + new string('#', MaxUnitPriceDecimals - exponent) : "." + new string('#', MaxUnitPriceDecimals));
        return price.ToString(format, Invariant);
    }

    public static string Quantity(decimal quantity) => quantity.ToString("#,##0.############", Invariant);

    public static string Percent(decimal rate) => rate.ToString("0.####", Invariant) + "%";

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", Invariant);
}
