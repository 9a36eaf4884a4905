using PdfSharp.Fonts;

namespace Billing.Pdf.Fonts;

/// <summary>
/// Serves the catalogue's faces to PDFsharp. Every family name resolves to something, so a typo or an internal
/// PDFsharp request can never fail a render for want of a font.
/// </summary>
internal sealed class InvoiceFontResolver(FontCatalog catalog) : IFontResolver
{
    public const string Family = "Billing Sans";

    public FontCatalog Catalog { get; } = catalog;

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic)
    {
        for (var i = 0; i < Catalog.Fallbacks.Count; i++)
        {
            if (familyName == FontCatalog.FallbackFamily(i)) return new FontResolverInfo(Catalog.Fallbacks[i].FaceName, bold, italic);
        }
        var face = bold ? Catalog.Bold : Catalog.Regular;
        return new FontResolverInfo(face.FaceName, false, italic);
    }

    public byte[]? GetFont(string faceName)
    {
        if (faceName == Catalog.Regular.FaceName) return Catalog.Regular.Data;
        if (faceName == Catalog.Bold.FaceName) return Catalog.Bold.Data;
        foreach (var fallback in Catalog.Fallbacks)
        {
            if (faceName == fallback.FaceName) return fallback.Data;
        }
        return Catalog.Regular.Data;
    }
}
