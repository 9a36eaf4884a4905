using System.Text;
using Billing.Pdf.Fonts;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Billing.Pdf.Rendering;

/// <summary>
/// The fonts of one render (XFont instances are not shared between threads) and the choice, per string, between
/// the primary face and the fallback face, so characters neither has print as '?' instead of failing.
/// </summary>
internal sealed class InvoiceFonts
{
    private static readonly XPdfFontOptions Options = new(PdfFontEncoding.Unicode);
    private readonly FontCatalog _catalog;
    private readonly Dictionary<(double Size, bool Bold), XFont> _fallbacks = [];

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
        var primaryMisses = Misses(text, _catalog.PrimaryCoverage);
        if (primaryMisses == 0) return new FittedText(text, font);
        if (_catalog.FallbackCoverage is { } fallbackCoverage && Misses(text, fallbackCoverage) < primaryMisses)
            return new FittedText(Replace(text, fallbackCoverage), Fallback(font));
        return new FittedText(Replace(text, _catalog.PrimaryCoverage), font);
    }

    private XFont Primary(double size, bool bold) =>
        new(InvoiceFontResolver.Family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, Options);

    private XFont Fallback(XFont like)
    {
        var key = (like.Size, like.Bold);
        if (!_fallbacks.TryGetValue(key, out var font))
        {
            font = new XFont(InvoiceFontResolver.FallbackFamily, like.Size, like.Bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, Options);
            _fallbacks[key] = font;
        }
        return font;
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

    private static int Misses(string text, GlyphCoverage coverage)
    {
        var misses = 0;
        foreach (var rune in Runes(text))
        {
            if (rune < 0 || !coverage.Covers(rune)) misses++;
        }
        return misses;
    }

    private static string Replace(string text, GlyphCoverage coverage)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var rune in Runes(text))
        {
            if (rune >= 0 && coverage.Covers(rune)) builder.Append(char.ConvertFromUtf32(rune));
            else builder.Append('?');
        }
        return builder.ToString();
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
