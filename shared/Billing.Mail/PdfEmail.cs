using System.Buffers;
using System.Buffers.Text;
using System.Text;
using MimeKit;

namespace Billing.Mail;

/// <summary>The body every billing email shares: multipart/mixed holding multipart/alternative (text, HTML;
/// quoted-printable UTF-8) and the document's PDF (base64).</summary>
internal static class PdfEmail
{
    /// <summary>
    /// An empty message. <c>new MimeMessage()</c> first fills in a Message-ID (looking up the host name), a Date, an
    /// empty From and Subject, which the composers replace at once.
    /// </summary>
    public static MimeMessage NewMessage() => new((IEnumerable<Header>)[]);

    /// <summary>
    /// A message's own copy of a configured address. An address list subscribes to the change events of every address
    /// added to it, so one address object shared by all messages would hold on to every message ever composed (and
    /// its PDF), and each new message would copy a longer list of handlers.
    /// </summary>
    public static MailboxAddress Copy(MailboxAddress address) => new(address.Name, address.Address);

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
/// The PDF attachment, base64-encoded once and written as it is. MimeKit's own path streams the content through an
/// encoder filter and a line-ending filter, each with its own buffers; for the one large part of every email that
/// was most of the mailer's CPU per message. The bytes on the wire are the same: base64 in lines of 76
/// characters, each ended by the line ending the writer asks for. <see cref="MimePart.Content"/> still holds the
/// PDF, so the part reads like any other.
/// </summary>
internal sealed class Base64PdfPart : MimePart
{
    private const int BytesPerLine = 57; // 76 base64 characters

    // Lines per write. The stream below gets about 4 KiB at a time: MailKit's SMTP data filter sizes its output buffer
    // to the largest write it sees, new for every message, and the mailer should allocate little per email.
    private const int LinesPerWrite = 52;

    private readonly byte[] _pdf;

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
        var buffer = ArrayPool<byte>.Shared.Rent(LinesPerWrite * (BytesPerLine / 3 * 4 + 2));
        try
        {
            for (var offset = 0; offset < _pdf.Length; offset += LinesPerWrite * BytesPerLine)
                stream.Write(buffer, 0, Encode(_pdf, offset, NewLine(options), buffer));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override async Task WriteToAsync(FormatOptions options, Stream stream, bool contentOnly, CancellationToken ct = default)
    {
        if (!contentOnly) await Headers.WriteToAsync(options, stream, ct);
        var buffer = ArrayPool<byte>.Shared.Rent(LinesPerWrite * (BytesPerLine / 3 * 4 + 2));
        try
        {
            for (var offset = 0; offset < _pdf.Length; offset += LinesPerWrite * BytesPerLine)
                await stream.WriteAsync(buffer.AsMemory(0, Encode(_pdf, offset, NewLine(options), buffer)), ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ReadOnlySpan<byte> NewLine(FormatOptions options) => options.NewLineFormat == NewLineFormat.Unix ? "\n"u8 : "\r\n"u8;

    /// <summary>
    /// Up to <see cref="LinesPerWrite"/> lines of base64 from <paramref name="offset"/> on, each line (the last too)
    /// ended by <paramref name="newLine"/>. Returns the bytes written to <paramref name="output"/>.
    /// </summary>
    private static int Encode(byte[] data, int offset, ReadOnlySpan<byte> newLine, byte[] output)
    {
        var at = 0;
        var end = Math.Min(data.Length, offset + LinesPerWrite * BytesPerLine);
        for (; offset < end; offset += BytesPerLine)
        {
            var line = data.AsSpan(offset, Math.Min(BytesPerLine, end - offset));
            Base64.EncodeToUtf8(line, output.AsSpan(at), out _, out var written);
            at += written;
            newLine.CopyTo(output.AsSpan(at));
            at += newLine.Length;
        }
        return at;
    }
}
