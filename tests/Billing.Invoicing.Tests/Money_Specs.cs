namespace Billing.Invoicing.Tests;

public class When_rounding_major_units_to_minor_units
{
    [Theory]
    [InlineData("0.125", 2, 13)]     // tie → away from zero
    [InlineData("-0.125", 2, -13)]   // symmetric for credits
    [InlineData("0.135", 2, 14)]     // not banker's: banker's would give 14 here and 12 above
    [InlineData("0.124999999999", 2, 12)]
    [InlineData("0.005", 2, 1)]
    [InlineData("0.0049", 2, 0)]
    [InlineData("1234.5", 0, 1235)]  // JPY
    [InlineData("2.5", 0, 3)]
    [InlineData("0.0375", 3, 38)]    // BHD
    [InlineData("12.34", 2, 1234)]
    [InlineData("0", 2, 0)]
    public void Does_round_half_away_from_zero(string major, int exponent, long expectedMinor) =>
        Assert.Equal(expectedMinor, Money.RoundHalfAwayFromZero(decimal.Parse(major, System.Globalization.CultureInfo.InvariantCulture), exponent));

    [Fact]
    public void Does_reject_an_amount_beyond_64_bits() =>
        Assert.Throws<OverflowException>(() => Money.RoundHalfAwayFromZero(decimal.MaxValue, 2));

    [Fact]
    public void Does_reject_an_impossible_exponent() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Money.RoundHalfAwayFromZero(1m, -1));
}

public class When_multiplying_quantity_by_a_price
{
    [Fact]
    public void Does_keep_sub_cent_prices_exact()
    {
        // 0.0005 × 1,001 = 0.5005 → 0.50
        Assert.Equal(50, Money.MultiplyToMinor(1001m, 0.0005m, 2));
        // 0.005 × 1 = 0.005 → 0.01
        Assert.Equal(1, Money.MultiplyToMinor(1m, 0.005m, 2));
    }

    [Fact]
    public void Does_not_round_twice_when_the_product_exceeds_decimal_precision()
    {
        // 2,950,654,999,439.517101159255 × 0.676039484494 = 1,994,759,284,740.734999999999999997091970 exactly
        // (37 digits, worked out at 200-digit precision) → 1,994,759,284,740.73. System.Decimal keeps at most 29
        // digits, sees …740.7350000000000 and would round to …740.74.
        var quantity = 2_950_654_999_439.517101159255m;
        var price = 0.676039484494m;
        Assert.Equal(199_475_928_474_073, Money.MultiplyToMinor(quantity, price, 2));
        Assert.Equal(1_994_759_284_740.74m, Math.Round(quantity * price, 2, MidpointRounding.AwayFromZero));
    }

    [Fact]
    public void Does_round_a_product_below_half_a_minor_unit_to_zero() =>
        // 0.000000000001 × 0.005 = 0.000000000000005 → 0.00
        Assert.Equal(0, Money.MultiplyToMinor(0.000000000001m, 0.005m, 2));

    [Fact]
    public void Does_reject_a_product_beyond_64_bits() =>
        // 1e18 units × 100.00 = 1e20 major = 1e22 cents > 9.2e18
        Assert.Throws<OverflowException>(() => Money.MultiplyToMinor(1_000_000_000_000_000_000m, 100m, 2));
}

public class When_computing_tax_on_a_subtotal
{
    [Theory]
    [InlineData(1005, "19", 191)]     // 10.05 × 19 % = 1.9095 → 1.91
    [InlineData(1005, "10", 101)]     // 1.005 → 1.01 (tie away from zero)
    [InlineData(-1005, "10", -101)]   // credit: -1.005 → -1.01
    [InlineData(1000, "7.7", 77)]
    [InlineData(999, "8.1", 81)]      // 0.80919 → 0.81
    [InlineData(1, "49.9999", 0)]     // 0.499999 of a cent → 0
    [InlineData(1, "50", 1)]          // 0.5 of a cent → 1
    [InlineData(123456, "0", 0)]
    public void Does_round_half_away_from_zero(long subtotal, string rate, long expectedTax) =>
        Assert.Equal(expectedTax, Money.PercentOf(subtotal, decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture)));
}

public class When_counting_decimal_places
{
    [Theory]
    [InlineData("0.100", 1)]
    [InlineData("0.0005", 4)]
    [InlineData("12", 0)]
    [InlineData("12.000", 0)]
    [InlineData("0.0000000000001", 13)]
    public void Does_ignore_trailing_zeros(string value, int expected) =>
        Assert.Equal(expected, Money.DecimalPlaces(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
}
