namespace Billing.Vocabulary.Tests;

/// <summary>The currency table against Stripe's published lists (stripe.com/docs/currencies: zero-decimal, three-decimal,
/// and the special case of ISK), written out here by hand so that a change to the table has to agree with them.</summary>
public class When_the_currency_table_is_compared_with_stripe
{
    private static readonly string[] StripeZeroDecimal =
        ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];

    private static readonly string[] StripeThreeDecimal = ["BHD", "JOD", "KWD", "OMR", "TND"];

    [Fact]
    public void Has_no_minor_unit_exactly_for_stripes_zero_decimal_currencies_and_isk()
    {
        var zero = Currencies.All.Where(c => c.Exponent == 0).Select(c => c.Code).Order(StringComparer.Ordinal);
        Assert.Equal(StripeZeroDecimal.Append("ISK").Order(StringComparer.Ordinal), zero);
    }

    [Fact]
    public void Has_three_decimals_exactly_for_stripes_three_decimal_currencies()
    {
        var three = Currencies.All.Where(c => c.Exponent == 3).Select(c => c.Code).Order(StringComparer.Ordinal);
        Assert.Equal(StripeThreeDecimal.Order(StringComparer.Ordinal), three);
    }

    [Fact]
    public void Has_two_decimals_for_every_other_currency()
    {
        Assert.All(Currencies.All.Where(c => !StripeZeroDecimal.Contains(c.Code) && !StripeThreeDecimal.Contains(c.Code) && c.Code != "ISK"),
            c => Assert.Equal(2, c.Exponent));
        // Stripe's special cases that stay two-decimal for charges (only their payouts are whole units).
        Assert.Equal(2, Currencies.Get("HUF").Exponent);
        Assert.Equal(2, Currencies.Get("TWD").Exponent);
    }

    [Fact]
    public void Sends_isk_to_stripe_in_hundredths_and_nothing_else()
    {
        var isk = Currencies.Get("ISK");
        Assert.Equal(0, isk.Exponent);
        Assert.Equal(1_234_500, isk.ToStripeAmount(12_345));
        Assert.Equal(12_345, isk.FromStripeAmount(1_234_500));
        Assert.Throws<ArgumentException>(() => isk.FromStripeAmount(1_234_550));
        Assert.Equal(["ISK"], Currencies.All.Where(c => c.StripeFactor != 1).Select(c => c.Code));
        Assert.Equal(5_174, Currencies.Get("JPY").ToStripeAmount(5_174));
        Assert.Equal(1_400_222, Currencies.Get("EUR").ToStripeAmount(1_400_222));
    }

    [Fact]
    public void Holds_the_lists_it_publishes()
    {
        Assert.Equal(StripeZeroDecimal, Currencies.StripeZeroDecimal);
        Assert.Equal(StripeThreeDecimal, Currencies.StripeThreeDecimal);
        Assert.Equal(["ISK"], Currencies.StripeZeroDecimalSentInHundredths);
    }

    [Theory]
    [InlineData("eur")]
    [InlineData(" EUR")]
    [InlineData("EURO")]
    [InlineData("XXX")]
    [InlineData("CLF")]
    [InlineData("")]
    [InlineData(null)]
    public void Knows_only_exact_upper_case_codes_of_real_currencies(string? code)
    {
        Assert.False(Currencies.TryGet(code, out _));
        Assert.False(Currencies.IsKnown(code));
        var e = Assert.Throws<ArgumentException>(() => Currencies.Get(code));
        Assert.Contains($"'{code}'", e.Message);
    }

    [Fact]
    public void Converts_major_units_exactly_and_refuses_extra_decimals()
    {
        Assert.Equal(1_400_222, Currencies.Get("EUR").ToMinor(14_002.22m));
        Assert.Equal(5_174, Currencies.Get("JPY").ToMinor(5_174m));
        Assert.Equal(1_250, Currencies.Get("KWD").ToMinor(1.25m));
        Assert.Throws<ArgumentException>(() => Currencies.Get("JPY").ToMinor(0.5m));
        Assert.Throws<ArgumentException>(() => Currencies.Get("EUR").ToMinor(1.005m));
        Assert.Equal(14_002.22m, Currencies.Get("EUR").ToMajor(1_400_222));
        Assert.Equal(1000m, Currencies.Get("BHD").MinorPerMajor);
    }
}

public class When_money_is_written
{
    [Theory]
    [InlineData(1_400_222L, "EUR", "EUR 14,002.22")]
    [InlineData(5_174L, "JPY", "JPY 5,174")]
    [InlineData(12_345L, "ISK", "ISK 12,345")]
    [InlineData(5L, "USD", "USD 0.05")]
    [InlineData(-50L, "USD", "USD -0.50")]
    [InlineData(0L, "KWD", "KWD 0.000")]
    [InlineData(-1L, "KWD", "KWD -0.001")]
    [InlineData(1_234_567L, "BHD", "BHD 1,234.567")]
    [InlineData(100_000_000L, "KRW", "KRW 100,000,000")]
    [InlineData(long.MaxValue, "EUR", "EUR 92,233,720,368,547,758.07")]
    [InlineData(long.MinValue, "JPY", "JPY -9,223,372,036,854,775,808")]
    public void Formats_for_people_with_the_code_first_and_every_minor_digit(long minor, string currency, string expected)
    {
        Assert.Equal(expected, MoneyText.Format(minor, currency));
        Assert.Equal(expected[4..], MoneyText.Amount(minor, currency));
    }

    [Theory]
    [InlineData(1_400_222L, "EUR", "14002.22")]
    [InlineData(5_174L, "JPY", "5174")]
    [InlineData(12_345L, "ISK", "12345")]
    [InlineData(-5L, "USD", "-0.05")]
    [InlineData(1_250L, "KWD", "1.250")]
    public void Writes_plain_decimals_for_files(long minor, string currency, string expected)
    {
        Assert.Equal(expected, MoneyText.Plain(minor, currency));
    }

    [Fact]
    public void Takes_a_code_padded_by_a_fixed_width_column()
    {
        Assert.Equal("JPY 5,174", MoneyText.Format(5_174, "JPY "));
    }

    [Theory]
    [InlineData("eur")]
    [InlineData("XYZ")]
    public void Refuses_an_unknown_currency(string currency)
    {
        Assert.Throws<ArgumentException>(() => MoneyText.Format(1, currency));
        Assert.Throws<ArgumentException>(() => MoneyText.Plain(1, currency));
    }
}
