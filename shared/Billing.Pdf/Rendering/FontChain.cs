using Billing.Pdf.Fonts;
using PdfSharp.Drawing;

namespace Billing.Pdf.Rendering;

/// <summary>The primary font of one size and weight followed by its fallbacks; index 0 is the primary.</summary>
internal sealed class FontChain(IReadOnlyList<XFont> fonts, IReadOnlyList<GlyphCoverage> coverages)
{
    public IReadOnlyList<XFont> Fonts { get; } = fonts;

    /// <summary>The first font that has the character, or -1 when none has.</summary>
    public int FontFor(int codePoint)
    {
        for (var i = 0; i < coverages.Count; i++)
        {
            if (coverages[i].Covers(codePoint)) return i;
        }
        return -1;
    }
}
