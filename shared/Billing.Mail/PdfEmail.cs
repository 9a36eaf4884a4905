using System.Text;
using MimeKit;

namespace Billing.Mail;

/// <summary>The body every billing email shares: multipart/mixed holding multipart/alternative (text, HTML;
/// quoted-printable UTF-8) and the document's PDF (base64).</summary>
internal static class PdfEmail
{
    public static Multipart Body(string text, string html, byte[] pdf, string fileName) => new("mixed")
    {
        new MultipartAlternative { Text("plain", text), Text("html", html) },
        new MimePart("application", "pdf")
        {
            Content = new MimeContent(new MemoryStream(pdf, writable: false)),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { Size = pdf.Length },
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = fileName,
        },
    };

    private static TextPart Text(string subtype, string text)
    {
        var part = new TextPart(subtype) { ContentTransferEncoding = ContentEncoding.QuotedPrintable };
        part.SetText(Encoding.UTF8, text);
        return part;
    }
}
