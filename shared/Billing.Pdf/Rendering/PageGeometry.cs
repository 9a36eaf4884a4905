using PdfSharp.Drawing;

namespace Billing.Pdf.Rendering;

/// <summary>A4 portrait in points, margins and the line table's columns.</summary>
internal static class PageGeometry
{
    public const double Width = 595.28;
    public const double Height = 841.89;
    public const double Left = 50;
    public const double Right = Width - 50;
    public const double Top = 45;
    public const double ContentWidth = Right - Left;
    /// <summary>Baseline area of the "Page N of M" line.</summary>
    public const double PageNumberTop = Height - 36;

    public const double CellPadding = 4;
    public const double AmountRight = Right - CellPadding;
    public const double AmountWidth = 88;
    public const double UnitPriceRight = AmountRight - AmountWidth;
    public const double UnitPriceWidth = 96;
    public const double QuantityRight = UnitPriceRight - UnitPriceWidth;
    public const double QuantityWidth = 78;
    public const double DescriptionLeft = Left + CellPadding;
    public const double DescriptionWidth = QuantityRight - QuantityWidth - DescriptionLeft - CellPadding;
    public const double TierIndent = 14;

    public static readonly XColor Ink = XColor.FromArgb(0x22, 0x22, 0x22);
    public static readonly XSolidBrush InkBrush = new(Ink);
    public static readonly XSolidBrush MutedBrush = new(XColor.FromArgb(0x66, 0x66, 0x66));
    public static readonly XSolidBrush AccentBrush = new(XColor.FromArgb(0x1F, 0x3A, 0x5F));
    public static readonly XSolidBrush HeaderFill = new(XColor.FromArgb(0xEC, 0xEF, 0xF4));
    public static readonly XPen HairlinePen = new(XColor.FromArgb(0xD0, 0xD4, 0xDA), 0.5);
    public static readonly XPen StrongPen = new(XColor.FromArgb(0x22, 0x22, 0x22), 0.8);
}
