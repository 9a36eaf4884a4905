namespace Billing.Invoicing.Tests;

public class When_looking_up_a_currency
{
    [Theory]
    [InlineData("EUR", 2)]
    [InlineData("USD", 2)]
    [InlineData("JPY", 0)]
    [InlineData("KRW", 0)]
    [InlineData("ISK", 0)]
    [InlineData("CLP", 0)]
    [InlineData("VND", 0)]
    [InlineData("BHD", 3)]
    [InlineData("KWD", 3)]
    [InlineData("JOD", 3)]
    [InlineData("TND", 3)]
    [InlineData("CHF", 2)]
    public void Does_know_its_minor_unit_exponent(string code, int exponent)
    {
        Assert.True(Currencies.TryGet(code, out var info));
        Assert.Equal(code, info.Code);
        Assert.Equal(exponent, info.Exponent);
    }

    [Theory]
    [InlineData("eur")]
    [InlineData("Eur")]
    [InlineData("XXX")]
    [InlineData("EURO")]
    [InlineData(" EUR")]
    [InlineData("")]
    [InlineData(null)]
    public void Does_reject_unknown_or_misspelt_codes(string? code)
    {
        Assert.False(Currencies.TryGet(code, out _));
        Assert.Equal("currency", Assert.Throws<DomainValidationException>(() => Currencies.Get(code)).Field);
    }

    [Fact]
    public void Does_hold_the_required_table()
    {
        string[] required = ["USD", "EUR", "GBP", "CHF", "JPY", "KRW", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK",
            "HUF", "BRL", "MXN", "INR", "CNY", "HKD", "SGD", "ZAR", "BHD", "KWD", "JOD", "TND", "ISK", "CLP", "VND"];
        Assert.All(required, code => Assert.True(Currencies.TryGet(code, out _), code));
    }
}

public class When_formatting_an_amount
{
    [Theory]
    [InlineData(123456, "EUR", "1,234.56 EUR")]
    [InlineData(1235, "JPY", "1,235 JPY")]
    [InlineData(5, "USD", "0.05 USD")]
    [InlineData(-50, "USD", "-0.50 USD")]
    [InlineData(1234567, "BHD", "1,234.567 BHD")]
    [InlineData(0, "KWD", "0.000 KWD")]
    [InlineData(100000000, "KRW", "100,000,000 KRW")]
    public void Does_show_every_minor_digit_in_invariant_culture(long minor, string currency, string expected) =>
        Assert.Equal(expected, Currencies.Format(minor, currency));

    [Fact]
    public void Does_reject_an_unknown_currency() =>
        Assert.Throws<DomainValidationException>(() => Currencies.Format(1, "eur"));
}
