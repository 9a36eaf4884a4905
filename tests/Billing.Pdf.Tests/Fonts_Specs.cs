using Billing.Bench.Pdf;
using Billing.Pdf.Fonts;

namespace Billing.Pdf.Tests;

public class When_fonts_are_discovered
{
    [Fact]
    public void Does_prefer_liberation_sans_when_installed()
    {
        var catalog = FontCatalog.Discover(FontCatalog.DefaultFontRoot, null);
        Assert.True(File.Exists("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"), "fonts-liberation2 is not installed: apt-get install -y fonts-liberation2");
        Assert.EndsWith("LiberationSans-Regular.ttf", catalog.Regular.Source);
        Assert.EndsWith("LiberationSans-Bold.ttf", catalog.Bold.Source);
    }

    [Fact]
    public void Does_fall_back_to_the_fonts_inside_pdfsharp_when_none_are_installed()
    {
        using var empty = new TempDirectory();
        var catalog = FontCatalog.Discover(empty.Path, null);
        Assert.StartsWith("PDFsharp", catalog.Regular.Source);
        Assert.NotEmpty(catalog.Regular.Data);
        Assert.NotEmpty(catalog.Bold.Data);
        Assert.Empty(catalog.Fallbacks);
        Assert.True(catalog.PrimaryCoverage.Covers('A'));
    }

    [Fact]
    public void Does_use_a_configured_fallback_font()
    {
        var dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
        using var empty = new TempDirectory();
        var catalog = FontCatalog.Discover(empty.Path, dejavu);
        Assert.Equal(dejavu, Assert.Single(catalog.Fallbacks).Source);
        Assert.True(catalog.FallbackCoverages[0].Covers('Ж'));
    }

    [Fact]
    public void Does_try_a_configured_fallback_first_then_the_installed_ones()
    {
        var configured = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";
        var catalog = FontCatalog.Discover(FontCatalog.DefaultFontRoot, configured);
        Assert.Equal(configured, catalog.Fallbacks[0].Source);
        Assert.Contains(catalog.Fallbacks, f => f.Source.EndsWith("DejaVuSans.ttf", StringComparison.Ordinal));
        Assert.Equal(catalog.Fallbacks.Count, catalog.Fallbacks.Select(f => f.FaceName).Distinct().Count());
    }

    [Fact]
    public void Does_know_which_characters_liberation_sans_has()
    {
        var coverage = GlyphCoverage.FromFont(File.ReadAllBytes("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"));
        Assert.True(coverage.Covers('ü'));
        Assert.True(coverage.Covers('ñ'));
        Assert.True(coverage.Covers('€'));
        Assert.False(coverage.Covers('株'));
        Assert.False(coverage.Covers(0x1F600));
    }

    [Fact]
    public void Does_treat_a_truncated_font_as_covering_nothing()
    {
        var coverage = GlyphCoverage.FromFont(File.ReadAllBytes("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf").AsSpan(0, 300));
        Assert.False(coverage.Covers('A'));
        Assert.False(GlyphCoverage.FromFont([]).Covers('A'));
    }

    [Fact]
    public void Does_register_once_from_many_threads_and_render_concurrently()
    {
        var renderer = new InvoicePdfRenderer();
        var texts = new string[8];
        Parallel.For(0, texts.Length, i =>
        {
            PdfFonts.EnsureRegistered();
            texts[i] = PdfText.Extract(renderer.Render(SampleInvoices.OnePage(5)));
        });
        Assert.All(texts, t => Assert.Equal(texts[0], t));
        Assert.Contains("Liberation", PdfFonts.Description);
    }
}
