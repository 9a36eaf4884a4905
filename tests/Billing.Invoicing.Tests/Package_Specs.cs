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

    [Fact]
    public void Does_show_the_effective_unit_price()
    {
        // 101 SMS → 5.00; 5.00 / 101 = 0.049504950495049… → 0.049504950495
        var line = Assert.Single(Plans.Price(Plans.Package("sms", 100, 2.50m), 101).Lines);
        Assert.Equal(0.049504950495m, line.UnitPrice);
    }
}
