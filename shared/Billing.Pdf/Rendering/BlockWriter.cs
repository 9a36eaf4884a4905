using PdfSharp.Drawing;

namespace Billing.Pdf.Rendering;

/// <summary>Measures text and places it into blocks; each method returns the height it used.</summary>
internal sealed class BlockWriter(XGraphics g, InvoiceFonts fonts)
{
    public InvoiceFonts Fonts { get; } = fonts;

    public static double LineHeight(XFont font) => Math.Round(font.Size * 1.28, 2);

    public double Text(Block block, string? text, XFont font, double x, double y, XBrush brush)
    {
        block.Texts.Add(new BlockText(Fonts.Fit(text, font), x, y, brush));
        return LineHeight(font);
    }

    /// <summary>Right-aligned single line; shrinks to the small font rather than spill into the next column.</summary>
    public double TextRight(Block block, string? text, XFont font, double right, double y, XBrush brush, double maxWidth = double.MaxValue)
    {
        var fitted = Fonts.Fit(text, font);
        var width = Width(fitted);
        if (width > maxWidth && font.Size > Fonts.Small.Size)
        {
            fitted = Fonts.Fit(text, Fonts.Small);
            width = Width(fitted);
        }
        block.Texts.Add(new BlockText(fitted, right - width, y, brush));
        return LineHeight(font);
    }

    public double Centered(Block block, string text, XFont font, double left, double width, double y, XBrush brush)
    {
        var fitted = new FittedText(text, font);
        block.Texts.Add(new BlockText(fitted, left + Math.Max(0, (width - Width(fitted)) / 2), y, brush));
        return LineHeight(font);
    }

    public IReadOnlyList<string> Lines(string? text, XFont font, double width, int maxLines, out XFont usedFont)
    {
        var fitted = Fonts.Fit(text, font);
        usedFont = fitted.Font;
        return TextWrapper.Wrap(g, fitted, width, maxLines);
    }

    public double Wrapped(Block block, string? text, XFont font, double x, double y, double width, int maxLines, XBrush brush)
    {
        var lines = Lines(text, font, width, maxLines, out var used);
        var lineHeight = LineHeight(font);
        for (var i = 0; i < lines.Count; i++)
            block.Texts.Add(new BlockText(new FittedText(lines[i], used), x, y + i * lineHeight, brush));
        return lines.Count * lineHeight;
    }

    private double Width(FittedText text) => g.MeasureString(text.Text, text.Font).Width;
}
