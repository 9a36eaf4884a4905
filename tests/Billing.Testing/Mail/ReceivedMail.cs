using MimeKit;

namespace Billing.Testing;

/// <summary>
/// A message the SMTP server stored, read with MimeKit: the message itself plus shortcuts to what the tests look at,
/// including the envelope headers the server put in front (X-MailFrom, X-RcptTo).
/// </summary>
public sealed class ReceivedMail(MimeMessage message)
{
    public MimeMessage Message { get; } = message;

    /// <summary>A header's value as MimeKit decodes it (encoded words become text), or null.</summary>
    public string? Header(string name) => Message.Headers[name];

    public string Subject => Message.Subject ?? "";

    /// <summary>The Message-ID as written, with its angle brackets.</summary>
    public string? MessageId => Message.MessageId is { } id ? $"<{id}>" : null;

    /// <summary>The envelope recipients as the SMTP server recorded them (comma-separated).</summary>
    public string? EnvelopeTo => Header("X-RcptTo");

    /// <summary>The envelope sender as the SMTP server recorded it.</summary>
    public string? EnvelopeFrom => Header("X-MailFrom");

    public string? TextBody => Message.TextBody;
    public string? HtmlBody => Message.HtmlBody;

    public IReadOnlyList<ReceivedAttachment> Attachments => Message.Attachments.OfType<MimePart>().Select(ReceivedAttachment.From).ToList();

    public static ReceivedMail Parse(byte[] raw)
    {
        using var stream = new MemoryStream(raw, writable: false);
        return new ReceivedMail(MimeMessage.Load(stream));
    }
}

/// <summary>An attachment's name, media type and decoded bytes.</summary>
public sealed record ReceivedAttachment(string? FileName, string MediaType, byte[] Content)
{
    public static ReceivedAttachment From(MimePart part)
    {
        using var bytes = new MemoryStream();
        part.Content?.DecodeTo(bytes);
        return new ReceivedAttachment(part.FileName, part.ContentType.MimeType, bytes.ToArray());
    }
}
