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

    // Tried in this order for characters the primary pair lacks: DejaVu for other alphabets and symbols, then
    // CJK faces. TrueType files only: PDFsharp's handling of .ttc collections is not something we rely on.
    private static readonly string[] FallbackCandidates =
    [
        "truetype/dejavu/DejaVuSans.ttf",
        "truetype/droid/DroidSansFallbackFull.ttf",
        "truetype/droid/DroidSansFallback.ttf",
        "truetype/arphic-gkai00mp/gkai00mp.ttf",
    ];

    private FontCatalog(FontFace regular, FontFace bold, IReadOnlyList<FontFace> fallbacks)
    {
        Regular = regular;
        Bold = bold;
        Fallbacks = fallbacks;
        PrimaryCoverage = GlyphCoverage.Intersect(GlyphCoverage.FromFont(regular.Data), GlyphCoverage.FromFont(bold.Data));
        FallbackCoverages = fallbacks.Select(f => GlyphCoverage.FromFont(f.Data)).ToList();
    }

    public FontFace Regular { get; }
    public FontFace Bold { get; }
    /// <summary>Regular faces only: bold is simulated, which is acceptable for the odd foreign name.</summary>
    public IReadOnlyList<FontFace> Fallbacks { get; }
    public GlyphCoverage PrimaryCoverage { get; }
    public IReadOnlyList<GlyphCoverage> FallbackCoverages { get; }

    public string Description => Fallbacks.Count == 0
        ? $"{Regular.Source}, {Bold.Source}"
        : $"{Regular.Source}, {Bold.Source}, fallback {string.Join(", ", Fallbacks.Select(f => f.Source))}";

    public static string FallbackFamily(int index) => $"Billing Fallback {index}";

    public static FontCatalog Discover(string fontRoot, string? fallbackFile)
    {
        var (regular, bold) = FindPrimary(fontRoot);
        return new FontCatalog(regular, bold, FindFallbacks(fontRoot, fallbackFile, regular));
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
        return (new FontFace("BillingSans-Regular", UnhintedFont.Strip(FontDataHelper.SegoeWP), "PDFsharp Segoe WP"),
                new FontFace("BillingSans-Bold", UnhintedFont.Strip(FontDataHelper.SegoeWPBold), "PDFsharp Segoe WP Bold"));
    }

    private static List<FontFace> FindFallbacks(string fontRoot, string? fallbackFile, FontFace regular)
    {
        var candidates = new List<string>();
        if (!string.IsNullOrWhiteSpace(fallbackFile)) candidates.Add(fallbackFile);
        candidates.AddRange(FallbackCandidates.Select(c => Path.Combine(fontRoot, c)));
        var found = new List<FontFace>();
        // A fallback identical to the primary face adds nothing.
        foreach (var path in candidates.Distinct().Where(p => p != regular.Source && File.Exists(p)))
            found.Add(Load($"BillingFallback{found.Count}-Regular", path));
        return found;
    }

    /// <summary>A face as PDFsharp embeds it: without hinting (see <see cref="UnhintedFont"/>).</summary>
    private static FontFace Load(string faceName, string path) => new(faceName, UnhintedFont.Strip(File.ReadAllBytes(path)), path);
}
