using System.Buffers.Text;
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
        new Base64PdfPart(pdf, fileName),
    };

    private static TextPart Text(string subtype, string text)
    {
        var part = new TextPart(subtype) { ContentTransferEncoding = ContentEncoding.QuotedPrintable };
        part.SetText(Encoding.UTF8, text);
        return part;
    }
}

/// <summary>
/// The PDF attachment, written as base64 in one piece. MimeKit's own path streams the content through an encoder
/// filter and a line-ending filter in 4 KiB steps, each growing its own buffers; for the one large part of every
/// email that was most of the mailer's CPU per message. The bytes on the wire are the same: base64 in lines of 76
/// characters, each ended by the line ending the writer asks for. <see cref="MimePart.Content"/> still holds the
/// PDF, so the part reads like any other.
/// </summary>
internal sealed class Base64PdfPart : MimePart
{
    private const int BytesPerLine = 57; // 76 base64 characters

    private readonly byte[] _pdf;
    private byte[]? _crlf;
    private byte[]? _lf;

    public Base64PdfPart(byte[] pdf, string fileName) : base("application", "pdf")
    {
        _pdf = pdf;
        Content = new MimeContent(new MemoryStream(pdf, writable: false));
        ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { Size = pdf.Length };
        ContentTransferEncoding = ContentEncoding.Base64;
        FileName = fileName;
    }

    public override void WriteTo(FormatOptions options, Stream stream, bool contentOnly, CancellationToken ct = default)
    {
        if (!contentOnly) Headers.WriteTo(options, stream, ct);
        stream.Write(Encoded(options));
    }

    public override async Task WriteToAsync(FormatOptions options, Stream stream, bool contentOnly, CancellationToken ct = default)
    {
        if (!contentOnly) await Headers.WriteToAsync(options, stream, ct);
        await stream.WriteAsync(Encoded(options), ct);
    }

    private byte[] Encoded(FormatOptions options) => options.NewLineFormat == NewLineFormat.Unix
        ? _lf ??= Encode(_pdf, "\n"u8)
        : _crlf ??= Encode(_pdf, "\r\n"u8);

    /// <summary>Base64 in lines of 76 characters, every line (the last too) ended by <paramref name="newLine"/>.</summary>
    internal static byte[] Encode(ReadOnlySpan<byte> data, ReadOnlySpan<byte> newLine)
    {
        var lines = (data.Length + BytesPerLine - 1) / BytesPerLine;
        var output = new byte[Base64.GetMaxEncodedToUtf8Length(data.Length) + lines * newLine.Length];
        var at = 0;
        for (var offset = 0; offset < data.Length; offset += BytesPerLine)
        {
            var chunk = data.Slice(offset, Math.Min(BytesPerLine, data.Length - offset));
            Base64.EncodeToUtf8(chunk, output.AsSpan(at), out _, out var written);
            at += written;
            newLine.CopyTo(output.AsSpan(at));
            at += newLine.Length;
        }
        return output.Length == at ? output : output[..at];
    }
}
