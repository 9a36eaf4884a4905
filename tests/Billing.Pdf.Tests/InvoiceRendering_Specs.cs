namespace Billing.Pdf.Tests;

public class When_an_invoice_is_rendered
{
    private static readonly InvoicePdfRenderer Renderer = new();
    private readonly InvoiceDocument _doc = TestInvoices.Typical();
    private readonly string _text;

    public When_an_invoice_is_rendered() => _text = PdfText.Extract(Renderer.Render(_doc));

    [Fact]
    public void Does_produce_a_pdf()
    {
        var pdf = Renderer.Render(_doc);
        Assert.Equal("%PDF-"u8.ToArray(), pdf[..5]);
        Assert.Equal(1, PdfText.PageCount(pdf));
    }

    [Fact]
    public void Does_print_number_dates_period_and_currency()
    {
        Assert.Contains("INV-0001", _text);
        Assert.Contains("2026-11-01", _text);
        Assert.Contains("2026-12-01", _text);
        Assert.Contains("2026-10", _text);
        Assert.Contains("Amount (EUR)", _text);
    }

    [Fact]
    public void Does_print_issuer_and_bill_to()
    {
        Assert.Contains("Issuer AG", _text);
        Assert.Contains("Hauptstraße 1", _text);
        Assert.Contains("Tax ID: CHE-123.456.789", _text);
        Assert.Contains("Customer Ltd", _text);
        Assert.Contains("ap@customer.example", _text);
    }

    [Theory]
    [InlineData("Pro plan base fee", "99.00")]
    [InlineData("API requests", "725.00")]
    [InlineData("Tier 1: first 1,000,000 requests", "600.00")]
    [InlineData("Tier 2: above 1,000,000 requests", "125.00")]
    [InlineData("Managed migration job", "450.00")]
    public void Does_print_each_line_with_its_amount_on_the_same_row(string description, string amount)
    {
        var row = _text.Split('\n').Single(l => l.Contains(description, StringComparison.Ordinal));
        Assert.EndsWith(amount, row.TrimEnd());
    }

    [Fact]
    public void Does_print_subtotal_tax_with_rate_and_total()
    {
        // 99 + 725 + 450 = 1,274.00 (tiers are not added again); 19% tax = 242.06
        Assert.Matches(@"Subtotal\s+EUR 1,274\.00", _text);
        Assert.Matches(@"Tax \(19%\)\s+EUR 242\.06", _text);
        Assert.Matches(@"Total\s+EUR 1,516\.06", _text);
    }

    [Fact]
    public void Does_print_payment_terms_footer_and_page_number()
    {
        Assert.Contains("Net 30 days.", _text);
        Assert.Contains("Issuer AG, registered in Zürich.", _text);
        Assert.Contains("Page 1 of 1", _text);
    }

    [Fact]
    public void Does_print_the_same_text_when_rendered_twice()
    {
        Assert.Equal(_text, PdfText.Extract(Renderer.Render(_doc)));
    }

    [Fact]
    public void Does_render_the_same_text_to_a_stream()
    {
        using var stream = new MemoryStream();
        Renderer.RenderTo(_doc, stream);
        Assert.Equal(_text, PdfText.Extract(stream.ToArray()));
    }
}

public class When_an_invoice_has_tier_lines
{
    private readonly string[] _rows = PdfText.Extract(new InvoicePdfRenderer().Render(TestInvoices.Typical())).Split('\n');

    [Fact]
    public void Does_print_tiers_directly_under_their_usage_line()
    {
        var usage = Array.FindIndex(_rows, r => r.Contains("API requests", StringComparison.Ordinal) && !r.Contains("Tier", StringComparison.Ordinal));
        var tiers = _rows.Skip(usage + 1).Where(r => r.Trim().Length > 0).Take(2).ToArray();
        Assert.Contains("Tier 1", tiers[0]);
        Assert.Contains("Tier 2", tiers[1]);
    }

    [Fact]
    public void Does_indent_tiers_relative_to_their_usage_line()
    {
        static int Indent(string row) => row.Length - row.TrimStart().Length;
        var usage = _rows.Single(r => r.Contains("API requests", StringComparison.Ordinal) && !r.Contains("Tier", StringComparison.Ordinal));
        var tier = _rows.Single(r => r.Contains("Tier 1", StringComparison.Ordinal));
        Assert.True(Indent(tier) > Indent(usage), $"tier indent {Indent(tier)} <= usage indent {Indent(usage)}");
    }

    [Fact]
    public void Does_print_tier_unit_prices_with_their_own_decimals()
    {
        Assert.Contains(_rows, r => r.Contains("Tier 1", StringComparison.Ordinal) && r.Contains("0.0006", StringComparison.Ordinal));
        Assert.Contains(_rows, r => r.Contains("Tier 2", StringComparison.Ordinal) && r.Contains("0.0005", StringComparison.Ordinal));
    }
}

public class When_a_description_is_longer_than_its_column
{
    [Fact]
    public void Does_wrap_it_onto_several_lines_without_losing_words()
    {
        var words = Enumerable.Range(1, 40).Select(i => $"word{i:D2}").ToArray();
        var doc = TestInvoices.With([TestInvoices.Line(1, InvoiceLineKinds.Charge, string.Join(' ', words), 1, 10m, 1000)]);
        var text = PdfText.Extract(new InvoicePdfRenderer().Render(doc));
        var rowsWithWords = text.Split('\n').Count(r => r.Contains("word", StringComparison.Ordinal));
        Assert.True(rowsWithWords >= 3, $"expected the description on at least 3 rows, got {rowsWithWords}");
        Assert.All(words, w => Assert.Contains(w, text));
    }

    [Fact]
    public void Does_break_a_single_unbroken_word()
    {
        var token = new string('q', 300);
        var doc = TestInvoices.With([TestInvoices.Line(1, InvoiceLineKinds.Charge, token, 1, 10m, 1000)]);
        var text = PdfText.Extract(new InvoicePdfRenderer().Render(doc));
        Assert.Equal(300, text.Count(c => c == 'q'));
    }
}
