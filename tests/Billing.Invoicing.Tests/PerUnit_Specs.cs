namespace Billing.Invoicing.Tests;

public class When_pricing_per_unit_with_sub_cent_prices
{
    [Theory]
    [InlineData("0.0005", "1001", 50)]   // 0.5005 → 0.50
    [InlineData("0.0005", "1000", 50)]   // 0.5000 → 0.50
    [InlineData("0.0005", "999", 50)]    // 0.4995 → 0.50
    [InlineData("0.0005", "9", 0)]       // 0.0045 → 0.00
    [InlineData("0.005", "1", 1)]        // 0.005 → 0.01 (tie away from zero)
    [InlineData("0.125", "1", 13)]       // 0.125 → 0.13
    [InlineData("0.0125", "10", 13)]     // 0.125 → 0.13
    [InlineData("0.023", "12.5", 29)]    // 0.2875 → 0.29
    [InlineData("0.000000000001", "1000000000000", 100)] // 1e-12 × 1e12 = 1.00
    public void Does_multiply_exactly_then_round_half_away_from_zero(string price, string quantity, long expectedMinor)
    {
        var p = decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture);
        var q = decimal.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture);
        var invoice = Plans.Price(Plans.PerUnit("impressions", p), q);

        var line = Assert.Single(invoice.Lines);
        Assert.Equal(expectedMinor, line.AmountMinor);
        Assert.Equal(p, line.UnitPrice);
        Assert.Equal(q, line.Quantity);
        Assert.DoesNotContain(invoice.Lines, l => l.Kind == InvoiceLineKinds.Tier);
    }
}
