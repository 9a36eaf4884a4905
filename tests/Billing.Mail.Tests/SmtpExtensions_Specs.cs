using System.Security.Cryptography;

namespace Billing.Mail.Tests;

public sealed class When_a_recipient_address_is_not_ascii_and_the_server_offers_smtputf8(Utf8Server server) : IClassFixture<Utf8Server>
{
    [Fact]
    public async Task Does_deliver_it_with_the_address_unchanged_in_envelope_and_header()
    {
        var composer = new InvoiceEmailComposer(new MailOptions { From = "Billing <billing@example.com>" });
        var email = new InvoiceEmail(Guid.NewGuid(), 1, "jürgen.müller@example.org", "Müller AG", "INV-7", "2026-10", 1_000,
            "EUR", new DateOnly(2026, 11, 30), RandomNumberGenerator.GetBytes(2_000));
        Assert.True(EmailAddresses.IsValid(email.Recipient));
        using var sender = server.Sender(pool: 1);

        await sender.SendAsync(composer.Compose(email, DateTimeOffset.UtcNow), default);

        var mail = Assert.Single(MaildirReader.Read(server.Maildir));
        Assert.Equal("jürgen.müller@example.org", mail.EnvelopeTo);
        Assert.Equal("jürgen.müller@example.org", Assert.Single(mail.Message.To.Mailboxes).Address);
        Assert.Equal(composer.MessageId(email.InvoiceId, 1), mail.MessageId);
        Assert.Equal(email.Pdf, Assert.Single(mail.Attachments).Content);
    }
}

public sealed class When_a_recipient_address_is_not_ascii_and_the_server_does_not_offer_smtputf8(SmtpServerFixture server)
    : IClassFixture<SmtpServerFixture>
{
    [Fact]
    public async Task Does_refuse_it_permanently_and_say_why_and_keep_sending_ascii_mail()
    {
        using var sender = server.Sender(pool: 1);

        var ex = await Assert.ThrowsAsync<SmtpSendException>(() =>
            sender.SendAsync(RawEmail.Of("billing@example.com", ["jürgen@example.org"], "Subject: x\r\n\r\nx\r\n"), default));

        Assert.True(SmtpErrors.IsPermanent(ex));
        Assert.Contains("SMTPUTF8", SmtpErrors.Describe(ex));
        Assert.Contains("jürgen@example.org", SmtpErrors.Describe(ex));
        Assert.Empty(server.Files());

        await sender.SendAsync(RawEmail.Of("billing@example.com", ["juergen@example.org"], "Subject: ascii\r\n\r\nx\r\n"), default);
        Assert.Equal("ascii", Assert.Single(MaildirReader.Read(server.Maildir)).Subject);
    }
}

public sealed class When_the_server_offers_starttls(TlsServer server) : IClassFixture<TlsServer>
{
    [Fact]
    public async Task Does_send_over_tls_when_its_certificate_is_trusted()
    {
        using var sender = server.TlsSender(trustCertificate: true);

        await sender.SendAsync(RawEmail.Of("billing@example.com", ["c@example.org"], "Subject: over tls\r\n\r\nx\r\n"), default);
        await sender.SendAsync(RawEmail.Of("billing@example.com", ["c@example.org"], "Subject: same session\r\n\r\nx\r\n"), default);

        // The server refuses MAIL before STARTTLS: stored means sent over TLS.
        Assert.Equal(["over tls", "same session"], MaildirReader.Read(server.Maildir).Select(m => m.Subject).Order(StringComparer.Ordinal));
        Assert.Equal(1, sender.ConnectionsOpened);
    }

    [Fact]
    public async Task Does_refuse_an_untrusted_certificate_as_a_temporary_failure_and_send_nothing()
    {
        using var sender = server.TlsSender(trustCertificate: false);
        var before = server.Files().Length;

        var ex = await Assert.ThrowsAsync<SmtpSendException>(() =>
            sender.SendAsync(RawEmail.Of("billing@example.com", ["c@example.org"], "Subject: never\r\n\r\nx\r\n"), default));

        Assert.False(SmtpErrors.IsPermanent(ex));
        Assert.Contains("certificate", SmtpErrors.Describe(ex), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, server.Files().Length);
    }

    [Fact]
    public async Task Does_not_send_in_clear_text_where_the_server_requires_tls()
    {
        using var sender = server.Sender(pool: 1);
        var before = server.Files().Length;

        var ex = await Assert.ThrowsAsync<SmtpSendException>(() =>
            sender.SendAsync(RawEmail.Of("billing@example.com", ["c@example.org"], "Subject: clear\r\n\r\nx\r\n"), default));

        Assert.Equal(530, ex.ReplyCode);
        Assert.Equal(before, server.Files().Length);
    }
}

public sealed class When_starttls_is_asked_for_and_the_server_does_not_offer_it(SmtpServerFixture server) : IClassFixture<SmtpServerFixture>
{
    [Fact]
    public async Task Does_refuse_to_send_in_clear_text()
    {
        using var sender = new PooledSmtpSender(new SmtpOptions { Host = "127.0.0.1", Port = server.Port, PoolSize = 1, EnableSsl = true });

        var ex = await Assert.ThrowsAsync<SmtpSendException>(() =>
            sender.SendAsync(RawEmail.Of("billing@example.com", ["c@example.org"], "Subject: clear\r\n\r\nx\r\n"), default));

        Assert.Contains("does not offer STARTTLS", SmtpErrors.Describe(ex));
        Assert.Empty(server.Files());
    }
}
