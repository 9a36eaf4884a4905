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

    public double Centered(Block block, FittedText fitted, double left, double width, double y, XBrush brush)
    {
        block.Texts.Add(new BlockText(fitted, left + Math.Max(0, (width - Width(fitted)) / 2), y, brush));
        return LineHeight(fitted.Font);
    }

    public IReadOnlyList<FittedText> Lines(string? text, XFont font, double width, int maxLines) =>
        TextWrapper.Wrap(g, Fonts.Fit(text, font), width, maxLines);

    public double Wrapped(Block block, string? text, XFont font, double x, double y, double width, int maxLines, XBrush brush)
    {
        var lines = Lines(text, font, width, maxLines);
        var lineHeight = LineHeight(font);
        for (var i = 0; i < lines.Count; i++)
            block.Texts.Add(new BlockText(lines[i], x, y + i * lineHeight, brush));
        return lines.Count * lineHeight;
    }

    private double Width(FittedText text) => text.Width(g);
}
