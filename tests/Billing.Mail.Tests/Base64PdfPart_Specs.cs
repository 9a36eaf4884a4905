using System.Security.Cryptography;
using MimeKit;

namespace Billing.Mail.Tests;

/// <summary>
/// The PDF part is written from bytes encoded once instead of through MimeKit's encoder filters; what reaches the
/// server must be what MimeKit itself writes for the same part, byte for byte.
/// </summary>
public sealed class When_the_pdf_attachment_is_written
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(56)]
    [InlineData(57)]
    [InlineData(58)]
    [InlineData(114)]
    [InlineData(40_001)]
    public void Does_write_the_same_bytes_as_mimekit_for_both_line_endings(int size)
    {
        var pdf = RandomNumberGenerator.GetBytes(size);
        foreach (var newLine in new[] { NewLineFormat.Dos, NewLineFormat.Unix })
        {
            var options = FormatOptions.Default.Clone();
            options.NewLineFormat = newLine;

            Assert.Equal(Written(MimeKitPart(pdf), options), Written(Composed(pdf), options));
        }
    }

    [Fact]
    public async Task Does_write_the_same_bytes_when_written_asynchronously()
    {
        var pdf = RandomNumberGenerator.GetBytes(30_000);
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        using var expected = new MemoryStream();
        await MimeKitPart(pdf).WriteToAsync(options, expected);
        using var actual = new MemoryStream();
        await Composed(pdf).WriteToAsync(options, actual);

        Assert.Equal(expected.ToArray(), actual.ToArray());
    }

    [Fact]
    public void Does_read_back_as_the_pdf_it_was_given()
    {
        var pdf = RandomNumberGenerator.GetBytes(12_345);
        using var written = new MemoryStream(Written(Composed(pdf), FormatOptions.Default));

        var part = Assert.IsType<MimePart>(MimeEntity.Load(written));
        using var decoded = new MemoryStream();
        Assert.NotNull(part.Content);
        part.Content.DecodeTo(decoded);

        Assert.Equal(pdf, decoded.ToArray());
        Assert.Equal("invoice-1.pdf", part.FileName);
        Assert.Equal(ContentEncoding.Base64, part.ContentTransferEncoding);
    }

    private static MimePart Composed(byte[] pdf)
    {
        var body = Assert.IsType<Multipart>(new InvoiceEmailComposer(new MailOptions { From = "billing@example.com" })
            .Compose(new InvoiceEmail(Guid.NewGuid(), 1, "c@example.org", "C", "1", "2026-10", 1, "EUR", new DateOnly(2026, 11, 30), pdf),
                DateTimeOffset.UnixEpoch).Message.Body);
        var part = Assert.IsAssignableFrom<MimePart>(body[1]);
        part.FileName = "invoice-1.pdf";
        return part;
    }

    // The part as MimeKit writes it on its own: the same headers, the content through its base64 encoder.
    private static MimePart MimeKitPart(byte[] pdf) => new("application", "pdf")
    {
        Content = new MimeContent(new MemoryStream(pdf, writable: false)),
        ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { Size = pdf.Length },
        ContentTransferEncoding = ContentEncoding.Base64,
        FileName = "invoice-1.pdf",
    };

    private static byte[] Written(MimeEntity part, FormatOptions options)
    {
        using var stream = new MemoryStream();
        part.WriteTo(options, stream);
        return stream.ToArray();
    }
}

public sealed class When_many_emails_are_composed
{
    [Fact]
    public void Does_not_keep_a_sent_message_alive_through_the_configured_addresses()
    {
        var invoices = new InvoiceEmailComposer(new MailOptions { From = "Billing <billing@example.com>", ReplyTo = "accounts@example.com" });
        var notes = new CreditNoteEmailComposer(new MailOptions { From = "Billing <billing@example.com>", ReplyTo = "accounts@example.com" });

        var composed = ComposeAndForget(invoices, notes);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.All(composed, message => Assert.False(message.IsAlive, "a composed message is still referenced after it was disposed"));
    }

    // In its own method so that no local of the caller keeps the messages reachable.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference[] ComposeAndForget(InvoiceEmailComposer invoices, CreditNoteEmailComposer notes)
    {
        using var invoice = invoices.Compose(new InvoiceEmail(Guid.NewGuid(), 1, "c@example.org", "C", "1", "2026-10", 1, "EUR",
            new DateOnly(2026, 11, 30), new byte[100]), DateTimeOffset.UnixEpoch);
        using var note = notes.Compose(new CreditNoteEmail(Guid.NewGuid(), "c@example.org", "C", "CN-1", "1", "overcharge", 1, "EUR",
            new byte[100]), DateTimeOffset.UnixEpoch);
        return [new WeakReference(invoice.Message), new WeakReference(note.Message)];
    }
}
