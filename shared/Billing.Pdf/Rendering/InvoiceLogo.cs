using PdfSharp.Drawing;

namespace Billing.Pdf.Rendering;

internal static class InvoiceLogo
{
    /// <summary>The issuer's logo, or null when none is configured. A logo that cannot be decoded is bad data, not a crash.</summary>
    public static XImage? Load(InvoiceIssuer issuer)
    {
        var field = issuer.LogoBytes is not null ? "Issuer.LogoBytes" : "Issuer.LogoPath";
        try
        {
            if (issuer.LogoBytes is { } bytes) return XImage.FromStream(new MemoryStream(bytes, writable: false));
            if (!string.IsNullOrWhiteSpace(issuer.LogoPath)) return XImage.FromStream(new MemoryStream(File.ReadAllBytes(issuer.LogoPath)));
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvoiceDocumentException(field, $"not a readable PNG or JPEG image ({e.Message})");
        }
    }
}
