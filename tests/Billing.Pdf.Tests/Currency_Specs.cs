namespace Billing.Pdf.Tests;

public class When_the_currency_has_no_minor_unit
{
    private readonly string _text = PdfText.Extract(new InvoicePdfRenderer().Render(TestInvoices.With(
        [TestInvoices.Line(1, InvoiceLineKinds.BaseFee, "Plan fee", 1, 12345m, 12345), TestInvoices.Line(2, InvoiceLineKinds.Usage, "Requests", 3000, 0.5m, 1500)],
        currency: "JPY", taxRate: 10m)));

    [Fact]
    public void Does_print_yen_amounts_without_decimals()
    {
        Assert.Matches(@"Plan fee\s+1\s+12,345\s+12,345\s*\n", _text);
        Assert.Matches(@"Subtotal\s+JPY 13,845\s*\n", _text);
        Assert.Matches(@"Tax \(10%\)\s+JPY 1,385\s*\n", _text);
        Assert.Matches(@"Total\s+JPY 15,230\s*\n", _text);
        Assert.DoesNotContain("12,345.00", _text);
    }

    [Fact]
    public void Does_still_print_fractional_unit_prices()
    {
        Assert.Matches(@"Requests\s+3,000\s+0\.5\s+1,500", _text);
    }
}

public class When_amounts_are_formatted
{
    [Theory]
    [InlineData(123456L, "EUR", "1,234.56")]
    [InlineData(-5L, "EUR", "-0.05")]
    [InlineData(0L, "USD", "0.00")]
    [InlineData(1234L, "JPY", "1,234")]
    [InlineData(1234L, "KRW", "1,234")]
    [InlineData(1234L, "BHD", "1.234")]
    [InlineData(1234567L, "KWD", "1,234.567")]
    [InlineData(long.MaxValue, "EUR", "92,233,720,368,547,758.07")]
    public void Does_use_the_currency_exponent(long minor, string currency, string expected)
    {
        Assert.Equal(expected, Billing.Vocabulary.MoneyText.Amount(minor, currency));
    }

    [Theory]
    [InlineData("0.0005", 2, "0.0005")]
    [InlineData("10", 2, "10.00")]
    [InlineData("0.000000000001", 2, "0.000000000001")]
    [InlineData("1234.5", 0, "1,234.5")]
    [InlineData("7", 3, "7.000")]
    public void Does_print_unit_prices_with_at_least_the_currency_decimals(string price, int exponent, string expected)
    {
        Assert.Equal(expected, Rendering.InvoiceFormat.UnitPrice(decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture), exponent));
    }

    [Fact]
    public void Does_refuse_an_unknown_currency()
    {
        var e = Assert.Throws<InvoiceDocumentException>(() => Rendering.InvoiceFormat.Exponent("XYZ"));
        Assert.Equal("Currency", e.Field);
    }
}
