using PdfSharp.Drawing;

namespace Billing.Pdf.Rendering;

internal static class InvoicePainter
{
    public static void Draw(XGraphics g, Block block, double top)
    {
        foreach (var fill in block.Fills)
            g.DrawRectangle(fill.Brush, fill.Area.X, fill.Area.Y + top, fill.Area.Width, fill.Area.Height);
        foreach (var rule in block.Rules)
            g.DrawLine(rule.Pen, rule.X1, rule.Y1 + top, rule.X2, rule.Y2 + top);
        foreach (var image in block.Images)
            g.DrawImage(image.Image, image.Area.X, image.Area.Y + top, image.Area.Width, image.Area.Height);
        foreach (var text in block.Texts)
        {
            if (text.Text.Text.Length == 0) continue;
            text.Text.Draw(g, text.Brush, text.X, text.Y + top);
        }
    }
}
