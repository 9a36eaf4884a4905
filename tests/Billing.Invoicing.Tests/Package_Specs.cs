namespace Billing.Invoicing.Tests;

// Packages of 100 SMS at 2.50 EUR.
public class When_pricing_packages
{
    [Theory]
    [InlineData("1", 250)]                  // ceil(0.01) = 1 package
    [InlineData("99", 250)]                 // 1
    [InlineData("100", 250)]                // exactly 1
    [InlineData("101", 500)]                // 2
    [InlineData("199.5", 500)]              // 2
    [InlineData("200", 500)]                // exactly 2
    [InlineData("200.000000000001", 750)]   // a trillionth over → 3
    public void Does_bill_started_packages(string quantity, long expectedMinor) =>
        Assert.Equal(expectedMinor,
            Plans.Price(Plans.Package("sms", 100, 2.50m), decimal.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture)).UsageAmount());

    [Fact]
    public void Does_allow_fractional_package_sizes()
    {
        // 1.25 GB / 0.5 GB = 2.5 → 3 packages × 0.10 = 0.30
        Assert.Equal(30, Plans.Price(Plans.Package("gb", 0.5m, 0.10m), 1.25m).UsageAmount());
        // 1.5 / 0.5 = 3 exactly → 0.30
        Assert.Equal(30, Plans.Price(Plans.Package("gb", 0.5m, 0.10m), 1.5m).UsageAmount());
    }

    [Theory]
    [InlineData("350", "4 packages of 100 × 2.50", 4, 1000)]
    [InlineData("100", "1 package of 100 × 2.50", 1, 250)]
    [InlineData("1000.5", "11 packages of 100 × 2.50", 11, 2750)]
    public void Does_show_the_packages_under_the_usage_line(string quantity, string description, int packages, long amountMinor)
    {
        var used = decimal.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture);
        var invoice = Plans.Price(Plans.Package("sms", 100, 2.50m), used);
        var usage = Assert.Single(invoice.Lines, l => l.Kind == InvoiceLineKinds.Usage);
        var line = Assert.Single(invoice.Lines, l => l.Kind == InvoiceLineKinds.Tier);
        Assert.Equal((used, amountMinor), (usage.Quantity, usage.AmountMinor));
        Assert.Equal((description, (decimal)packages, 2.50m, amountMinor, usage.LineNo), (line.Description, line.Quantity, line.UnitPrice, line.AmountMinor, line.ParentLineNo));
        Assert.Equal(amountMinor, invoice.SubtotalMinor); // explained, not billed twice
    }

    [Fact]
    public void Does_print_fractional_sizes_and_finer_prices_as_they_are()
    {
        // 1.25 GB in packages of 0.5 GB at 0.0005 → 3 packages
        var line = Assert.Single(Plans.Price(Plans.Package("gb", 0.5m, 0.0005m), 1.25m).Lines, l => l.Kind == InvoiceLineKinds.Tier);
        Assert.Equal("3 packages of 0.5 × 0.0005", line.Description);
    }
}
