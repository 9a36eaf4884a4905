using PdfSharp.WPFonts;

namespace Billing.Pdf.Fonts;

/// <summary>
/// The fonts an invoice is drawn with: a regular/bold pair from the system (Liberation Sans, else DejaVu Sans,
/// else the Segoe WP faces that ship inside PDFsharp so rendering works on a bare machine) and, when one is
/// installed, a wide-coverage fallback face for scripts the pair lacks (CJK customer names).
/// </summary>
internal sealed class FontCatalog
{
    public const string DefaultFontRoot = "/usr/share/fonts";

    /// <summary>Environment variable naming a TrueType file to use as the fallback face.</summary>
    public const string FallbackFontVariable = "BILLING_PDF_FALLBACK_FONT";

    private static readonly (string Regular, string Bold)[] PrimaryCandidates =
    [
        ("truetype/liberation2/LiberationSans-Regular.ttf", "truetype/liberation2/LiberationSans-Bold.ttf"),
        ("truetype/liberation/LiberationSans-Regular.ttf", "truetype/liberation/LiberationSans-Bold.ttf"),
        ("truetype/dejavu/DejaVuSans.ttf", "truetype/dejavu/DejaVuSans-Bold.ttf"),
    ];

    // TrueType files only: PDFsharp's handling of .ttc collections is not something we rely on.
    private static readonly string[] FallbackCandidates =
    [
        "truetype/droid/DroidSansFallbackFull.ttf",
        "truetype/droid/DroidSansFallback.ttf",
        "truetype/arphic-gkai00mp/gkai00mp.ttf",
        "truetype/dejavu/DejaVuSans.ttf",
    ];

    private FontCatalog(FontFace regular, FontFace bold, FontFace? fallback)
    {
        Regular = regular;
        Bold = bold;
        Fallback = fallback;
        PrimaryCoverage = GlyphCoverage.Intersect(GlyphCoverage.FromFont(regular.Data), GlyphCoverage.FromFont(bold.Data));
        FallbackCoverage = fallback is null ? null : GlyphCoverage.FromFont(fallback.Data);
    }

    public FontFace Regular { get; }
    public FontFace Bold { get; }
    public FontFace? Fallback { get; }
    public GlyphCoverage PrimaryCoverage { get; }
    public GlyphCoverage? FallbackCoverage { get; }

    public string Description => Fallback is null
        ? $"{Regular.Source}, {Bold.Source}"
        : $"{Regular.Source}, {Bold.Source}, fallback {Fallback.Source}";

    public static FontCatalog Discover(string fontRoot, string? fallbackFile)
    {
        var (regular, bold) = FindPrimary(fontRoot);
        var fallback = FindFallback(fontRoot, fallbackFile, regular);
        return new FontCatalog(regular, bold, fallback);
    }

    private static (FontFace Regular, FontFace Bold) FindPrimary(string fontRoot)
    {
        foreach (var (regularPath, boldPath) in PrimaryCandidates)
        {
            var regular = Path.Combine(fontRoot, regularPath);
            var bold = Path.Combine(fontRoot, boldPath);
            if (File.Exists(regular) && File.Exists(bold))
                return (Load("BillingSans-Regular", regular), Load("BillingSans-Bold", bold));
        }
        return (new FontFace("BillingSans-Regular", FontDataHelper.SegoeWP, "PDFsharp Segoe WP"),
                new FontFace("BillingSans-Bold", FontDataHelper.SegoeWPBold, "PDFsharp Segoe WP Bold"));
    }

    private static FontFace? FindFallback(string fontRoot, string? fallbackFile, FontFace regular)
    {
        var candidates = new List<string>();
        if (!string.IsNullOrWhiteSpace(fallbackFile)) candidates.Add(fallbackFile);
        candidates.AddRange(FallbackCandidates.Select(c => Path.Combine(fontRoot, c)));
        foreach (var path in candidates)
        {
            // A fallback identical to the primary face adds nothing.
            if (path == regular.Source || !File.Exists(path)) continue;
            return Load("BillingFallback-Regular", path);
        }
        return null;
    }

    private static FontFace Load(string faceName, string path) => new(faceName, File.ReadAllBytes(path), path);
}
