using Billing.Pdf.Fonts;
using PdfSharp.Fonts;

namespace Billing.Pdf;

/// <summary>
/// Process-wide PDFsharp setup: our font resolver. PDFsharp accepts a font resolver only
/// once per process, before the first font is used, so registration goes through one lazy initialiser.
/// </summary>
public static class PdfFonts
{
    private static readonly Lazy<InvoiceFontResolver> Resolver = new(Register, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Registers the fonts if not done yet. Safe to call from any thread, any number of times.</summary>
    public static void EnsureRegistered() => _ = Resolver.Value;

    /// <summary>Which font files are in use, for start-up logs.</summary>
    public static string Description => Resolver.Value.Catalog.Description;

    internal static FontCatalog Catalog => Resolver.Value.Catalog;

    private static InvoiceFontResolver Register()
    {
        var catalog = FontCatalog.Discover(FontCatalog.DefaultFontRoot, Environment.GetEnvironmentVariable(FontCatalog.FallbackFontVariable));
        var resolver = new InvoiceFontResolver(catalog);
        GlobalFontSettings.FontResolver = resolver;
        return resolver;
    }
}
