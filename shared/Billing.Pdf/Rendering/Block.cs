using PdfSharp.Drawing;

namespace Billing.Pdf.Rendering;

/// <summary>
/// A measured piece of a page (header, one table row, totals, footer) with positions relative to its own top.
/// Layout builds blocks once; pagination only stacks heights; painting only draws. That is what lets every page
/// know the total page count before anything is drawn.
/// </summary>
internal sealed class Block
{
    public List<BlockText> Texts { get; } = [];
    public List<BlockFill> Fills { get; } = [];
    public List<BlockRule> Rules { get; } = [];
    public List<BlockImage> Images { get; } = [];
    public double Height { get; set; }
}

internal readonly record struct BlockText(FittedText Text, double X, double Y, XBrush Brush);

internal readonly record struct BlockFill(XRect Area, XBrush Brush);

internal readonly record struct BlockRule(double X1, double Y1, double X2, double Y2, XPen Pen);

internal readonly record struct BlockImage(XImage Image, XRect Area);
