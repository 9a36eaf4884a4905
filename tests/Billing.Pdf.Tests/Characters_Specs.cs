namespace Billing.Pdf.Tests;

public class When_names_use_non_ascii_characters
{
    private static readonly InvoicePdfRenderer Renderer = new();

    [Theory]
    [InlineData("Müller GmbH")]
    [InlineData("Société Générale")]
    [InlineData("José Núñez")]
    [InlineData("Łódź Sp. z o.o.")]
    [InlineData("Øresund ApS")]
    public void Does_read_back_latin_names_exactly(string name)
    {
        var doc = TestInvoices.Typical() with { BillTo = new InvoiceBillTo { Name = name } };
        Assert.Contains(name, PdfText.Extract(Renderer.Render(doc)));
    }

    [Fact]
    public void Does_keep_decomposed_accents_instead_of_replacing_them()
    {
        // Combining marks are in the font: nothing becomes '?', the characters read back as they were given.
        var decomposed = "Jose\u0301 Nu\u0301n\u0303ez";
        var doc = TestInvoices.Typical() with { BillTo = new InvoiceBillTo { Name = decomposed } };
        var text = PdfText.Extract(Renderer.Render(doc));
        Assert.True(text.Contains(decomposed) || text.Contains("José Núñez"), text);
    }

    [Fact]
    public void Does_render_a_cjk_name_as_itself_or_as_question_marks()
    {
        var doc = TestInvoices.Typical() with { BillTo = new InvoiceBillTo { Name = "株式会社テスト", AddressLines = ["東京都千代田区 1-1"] } };
        var text = PdfText.Extract(Renderer.Render(doc));
        // Which one depends on whether a CJK font is installed; both are acceptable, a crash or silent loss is not.
        Assert.True(text.Contains("株式会社テスト") || text.Contains("???????"), text);
        Assert.Contains("1-1", text);
    }

    [Fact]
    public void Does_keep_the_latin_part_of_a_mixed_name()
    {
        var doc = TestInvoices.Typical() with { BillTo = new InvoiceBillTo { Name = "Müller 株式会社 Tokyo" } };
        var text = PdfText.Extract(Renderer.Render(doc));
        Assert.Contains("Tokyo", text);
        Assert.Contains("Müller", text);
    }

    [Theory]
    [InlineData("Smiley \U0001F600 Corp", "Smiley")]
    [InlineData("Broken \uD800 surrogate", "surrogate")]
    [InlineData("Tab\tand\r\nnew line", "new line")]
    [InlineData("Zero\u200Bwidth", "width")]
    public void Does_not_fail_on_characters_no_font_has(string name, string expected)
    {
        var doc = TestInvoices.Typical() with { BillTo = new InvoiceBillTo { Name = name } };
        Assert.Contains(expected, PdfText.Extract(Renderer.Render(doc)));
    }

    [Fact]
    public void Does_draw_a_script_the_primary_font_lacks_with_the_fallback_font()
    {
        // Liberation Sans has no Georgian, DejaVu Sans (the fallback when no CJK font is installed) has.
        Assert.False(PdfFonts.Catalog.PrimaryCoverage.Covers('ქ'));
        Assert.True(PdfFonts.Catalog.FallbackCoverages.Any(c => c.Covers('ქ')), $"no fallback font with Georgian: {PdfFonts.Description}");
        var doc = TestInvoices.Typical() with { BillTo = new InvoiceBillTo { Name = "ქართული ბანკი" } };
        Assert.Contains("ქართული ბანკი", PdfText.Extract(Renderer.Render(doc)));
    }

    [Fact]
    public void Does_choose_the_font_per_character_and_draw_question_marks_with_the_primary_font()
    {
        PdfFonts.EnsureRegistered();
        var fonts = new Rendering.InvoiceFonts(PdfFonts.Catalog);
        // U+0378 is unassigned: no font has it, whatever is installed.
        var fitted = fonts.Fit("Müller ქართ \u0378", fonts.Body);
        Assert.Equal("Müller ქართ ?", fitted.Text);
        var runs = fitted.Runs().ToList();
        Assert.Equal(["Müller ", "ქართ", " ?"], runs.Select(r => r.Run));
        Assert.Same(fonts.Body, runs[0].Font);
        Assert.NotSame(fonts.Body, runs[1].Font);
        Assert.Equal(fonts.Body.Size, runs[1].Font.Size);
        Assert.Same(fonts.Body, runs[2].Font);
    }

    [Fact]
    public void Does_render_non_latin_descriptions_in_lines()
    {
        var doc = TestInvoices.With([TestInvoices.Line(1, InvoiceLineKinds.Charge, "Поддержка сервиса / サポート", 1, 10m, 1000)]);
        var text = PdfText.Extract(Renderer.Render(doc));
        Assert.Contains("10.00", text);
    }
}
