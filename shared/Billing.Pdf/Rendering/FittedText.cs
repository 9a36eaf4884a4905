using System.Text;
using PdfSharp.Drawing;

namespace Billing.Pdf.Rendering;

/// <summary>
/// Text made safe to draw: every character has a glyph in <see cref="Font"/> or, when <see cref="Chain"/> is
/// set, in one of its fallbacks, or became '?'. Mixed text is drawn as runs, each in the first font that has its
/// characters, so a Latin name beside a CJK one keeps both.
/// </summary>
internal readonly record struct FittedText(string Text, XFont Font, FontChain? Chain = null)
{
    public FittedText WithText(string text) => this with { Text = text };

    public double Width(XGraphics g)
    {
        if (Chain is null) return g.MeasureString(Text, Font).Width;
        var width = 0.0;
        foreach (var (run, font) in Runs()) width += g.MeasureString(run, font).Width;
        return width;
    }

    public void Draw(XGraphics g, XBrush brush, double x, double top)
    {
        if (Chain is null)
        {
            g.DrawString(Text, Font, brush, x, top, XStringFormats.TopLeft);
            return;
        }
        // One baseline for all runs (the primary font's), or the fallback runs would sit higher or lower.
        var baseline = top + Font.GetHeight() * Font.CellAscent / Font.CellSpace;
        foreach (var (run, font) in Runs())
        {
            g.DrawString(run, font, brush, x, baseline, XStringFormats.BaseLineLeft);
            x += g.MeasureString(run, font).Width;
        }
    }

    internal IEnumerable<(string Run, XFont Font)> Runs()
    {
        if (Chain is null)
        {
            yield return (Text, Font);
            yield break;
        }
        var run = new StringBuilder();
        var current = 0;
        foreach (var rune in Text.EnumerateRunes())
        {
            // Fit leaves only characters some font in the chain has; anything else is drawn with the primary.
            var index = Math.Max(Chain.FontFor(rune.Value), 0);
            if (index != current && run.Length > 0)
            {
                yield return (run.ToString(), Chain.Fonts[current]);
                run.Clear();
            }
            current = index;
            run.Append(rune.ToString());
        }
        if (run.Length > 0) yield return (run.ToString(), Chain.Fonts[current]);
    }
}
