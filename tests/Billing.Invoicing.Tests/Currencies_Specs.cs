namespace Billing.Invoicing.Tests;

public class When_an_invoice_names_its_currency
{
    [Theory]
    [InlineData("EUR", 2)]
    [InlineData("JPY", 0)]
    [InlineData("ISK", 0)]
    [InlineData("KWD", 3)]
    public void Does_take_the_exponent_from_the_shared_table(string code, int exponent)
    {
        Assert.Equal(exponent, InvoiceCurrency.Get(code).Exponent);
        Assert.Equal(Currencies.Get(code), InvoiceCurrency.Get(code));
    }

    [Theory]
    [InlineData("eur")]
    [InlineData("Eur")]
    [InlineData("XXX")]
    [InlineData("EURO")]
    [InlineData(" EUR")]
    [InlineData("")]
    [InlineData(null)]
    public void Does_reject_unknown_or_misspelt_codes_as_a_currency_error(string? code)
    {
        var e = Assert.Throws<DomainValidationException>(() => InvoiceCurrency.Get(code));
        Assert.Equal("currency", e.Field);
        Assert.Contains($"'{code}'", e.Message);
    }

    [Fact]
    public void Does_hold_every_currency_plans_were_made_in()
    {
        string[] required = ["USD", "EUR", "GBP", "CHF", "JPY", "KRW", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK",
            "HUF", "BRL", "MXN", "INR", "CNY", "HKD", "SGD", "ZAR", "BHD", "KWD", "JOD", "TND", "ISK", "CLP", "VND"];
        Assert.All(required, code => Assert.True(Currencies.IsKnown(code), code));
    }
}
