using System.Text;
using Billing.Pdf.Fonts;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Billing.Pdf.Rendering;

/// <summary>
/// The fonts of one render (XFont instances are not shared between threads) and, per character, the choice
/// between the primary face and the fallback face, so characters neither has print as '?' instead of failing.
/// </summary>
internal sealed class InvoiceFonts
{
    private static readonly XPdfFontOptions Options = new(PdfFontEncoding.Unicode);
    private readonly FontCatalog _catalog;
    private readonly Dictionary<XFont, FontChain> _chains = new(ReferenceEqualityComparer.Instance);

    public InvoiceFonts(FontCatalog catalog)
    {
        _catalog = catalog;
        Title = Primary(20, bold: true);
        Name = Primary(11, bold: true);
        Body = Primary(9, bold: false);
        BodyBold = Primary(9, bold: true);
        Label = Primary(8, bold: false);
        LabelBold = Primary(8, bold: true);
        Tier = Primary(8, bold: false);
        Total = Primary(10.5, bold: true);
        Small = Primary(7, bold: false);
    }

    public XFont Title { get; }
    public XFont Name { get; }
    public XFont Body { get; }
    public XFont BodyBold { get; }
    public XFont Label { get; }
    public XFont LabelBold { get; }
    public XFont Tier { get; }
    public XFont Total { get; }
    public XFont Small { get; }

    public FittedText Fit(string? text, XFont font)
    {
        text = Clean(text);
        if (AllCovered(text, _catalog.PrimaryCoverage)) return new FittedText(text, font);
        var chain = Chain(font);
        var builder = new StringBuilder(text.Length);
        var usesFallback = false;
        foreach (var rune in Runes(text))
        {
            var index = rune < 0 ? -1 : chain.FontFor(rune);
            // '?' is drawn with the primary font, which has it; a CJK fallback face may not.
            if (index < 0) builder.Append('?');
            else builder.Append(char.ConvertFromUtf32(rune));
            usesFallback |= index > 0;
        }
        return new FittedText(builder.ToString(), font, usesFallback ? chain : null);
    }

    private XFont Primary(double size, bool bold) =>
        new(InvoiceFontResolver.Family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, Options);

    private FontChain Chain(XFont primary)
    {
        if (!_chains.TryGetValue(primary, out var chain))
        {
            var style = primary.Bold ? XFontStyleEx.Bold : XFontStyleEx.Regular;
            var fonts = new List<XFont> { primary };
            for (var i = 0; i < _catalog.Fallbacks.Count; i++)
                fonts.Add(new XFont(FontCatalog.FallbackFamily(i), primary.Size, style, Options));
            chain = new FontChain(fonts, [_catalog.PrimaryCoverage, .. _catalog.FallbackCoverages]);
            _chains[primary] = chain;
        }
        return chain;
    }

    /// <summary>
    /// Control characters (tabs, line breaks from a database text field) become spaces. Decomposed accents are
    /// composed where ICU is available; under InvariantGlobalization Normalize leaves them, and the font's
    /// combining marks draw them.
    /// </summary>
    private static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        try
        {
            text = text.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            // Ill-formed UTF-16 (a lone surrogate): leave it, Replace turns it into '?'.
        }
        var needsCleaning = false;
        foreach (var c in text)
        {
            if (char.IsControl(c)) { needsCleaning = true; break; }
        }
        if (!needsCleaning) return text;
        var builder = new StringBuilder(text.Length);
        foreach (var c in text) builder.Append(char.IsControl(c) ? ' ' : c);
        return builder.ToString();
    }

    private static bool AllCovered(string text, GlyphCoverage coverage)
    {
        foreach (var rune in Runes(text))
        {
            if (rune < 0 || !coverage.Covers(rune)) return false;
        }
        return true;
    }

    /// <summary>Code points of the text; -1 for a lone surrogate.</summary>
    private static IEnumerable<int> Runes(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (Rune.TryGetRuneAt(text, i, out var rune))
            {
                yield return rune.Value;
                if (rune.IsBmp) continue;
                i++;
            }
            else yield return -1;
        }
    }
}
