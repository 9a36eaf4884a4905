using System.Security.Cryptography;

namespace Billing.Mail.Tests;

public sealed class When_an_invoice_email_is_composed_and_sent(SmtpServerFixture server) : IClassFixture<SmtpServerFixture>
{
    [Fact]
    public async Task Does_arrive_readable_with_non_ascii_text_and_the_pdf_intact()
    {
        var composer = new InvoiceEmailComposer(new MailOptions
        {
            From = "\"Zürich Billing, Inc.\" <billing@example.com>",
            ReplyTo = "Accounts Desk <accounts@example.com>",
            PublicPdfBaseUrl = "https://billing.example.com/pdfs",
        });
        var pdf = RandomNumberGenerator.GetBytes(40_000);
        var email = new InvoiceEmail(Guid.NewGuid(), 2, "Jane.Doe@Example.org", "株式会社 Ünïcode & <Partners>",
            "RÉ-2026-000042", "2026-10", 1_234_567, "EUR", new DateOnly(2026, 11, 30), pdf);
        using var sender = server.Sender();

        await sender.SendAsync(composer.Compose(email, new DateTimeOffset(2026, 11, 2, 9, 30, 0, TimeSpan.Zero)), default);

        var mail = Assert.Single(MaildirReader.Read(server.Maildir));
        Assert.Equal("Invoice RÉ-2026-000042 for 2026-10", mail.Subject);
        var from = Assert.Single(mail.Message.From.Mailboxes);
        Assert.Equal(("Zürich Billing, Inc.", "billing@example.com"), (from.Name, from.Address));
        var replyTo = Assert.Single(mail.Message.ReplyTo.Mailboxes);
        Assert.Equal(("Accounts Desk", "accounts@example.com"), (replyTo.Name, replyTo.Address));
        Assert.Equal("Jane.Doe@Example.org", Assert.Single(mail.Message.To.Mailboxes).Address);
        Assert.Equal("Jane.Doe@Example.org", mail.EnvelopeTo);
        Assert.Equal("billing@example.com", mail.Header("X-MailFrom"));
        Assert.Equal("Mon, 02 Nov 2026 09:30:00 +0000", mail.Header("Date"));
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 9, 30, 0, TimeSpan.Zero), mail.Message.Date);
        Assert.Equal(composer.MessageId(email.InvoiceId, 2), mail.MessageId);
        Assert.Equal(email.InvoiceId.ToString("D"), mail.Header("X-Billing-Invoice-Id"));
        Assert.Equal(composer.TextBody(email).Replace("\r\n", "\n"), mail.TextBody!.Replace("\r\n", "\n"));
        Assert.Equal(composer.HtmlBody(email), mail.HtmlBody);
        Assert.Contains("株式会社 Ünïcode & <Partners>", mail.TextBody);
        Assert.Contains("&amp; &lt;Partners&gt;", mail.HtmlBody);
        var attachment = Assert.Single(mail.Attachments);
        Assert.Equal("application/pdf", attachment.MediaType);
        Assert.Equal("invoice-R--2026-000042.pdf", attachment.FileName);
        Assert.Equal(pdf, attachment.Content);
    }

    [Fact]
    public void Does_keep_every_line_within_the_smtp_limit()
    {
        var composer = new InvoiceEmailComposer(new MailOptions { From = "billing@example.com" });
        var email = new InvoiceEmail(Guid.NewGuid(), 1, "c@example.org", new string('Ä', 400) + " " + new string('x', 300),
            new string('N', 500), "2026-10", 1, "USD", new DateOnly(2026, 11, 30), new byte[10_000]);

        using var written = new MemoryStream();
        // As MailKit writes it to the server: CRLF line ends, headers encoded for a server without SMTPUTF8.
        var wire = MimeKit.FormatOptions.Default.Clone();
        wire.NewLineFormat = MimeKit.NewLineFormat.Dos;
        composer.Compose(email, DateTimeOffset.UnixEpoch).Message.WriteTo(wire, written);
        var content = written.ToArray();

        var lines = System.Text.Encoding.Latin1.GetString(content).Split("\r\n");
        Assert.All(lines, l => Assert.True(l.Length <= 998, $"line of {l.Length} characters"));
        Assert.All(content, b => Assert.True(b is < 128 and not 0, "non-ASCII byte"));
        Assert.DoesNotContain(content.Select((b, i) => (b, i)), x => x.b == '\n' && (x.i == 0 || content[x.i - 1] != '\r'));
    }
}
