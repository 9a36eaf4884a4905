using System.Security.Cryptography;
using System.Text;

namespace Billing.Mail.Tests;

public sealed class When_a_message_with_an_attachment_is_sent(SmtpServerFixture server) : IClassFixture<SmtpServerFixture>
{
    [Fact]
    public async Task Does_store_the_bytes_sent_unchanged_in_new_with_the_envelope_in_front()
    {
        var pdf = RandomNumberGenerator.GetBytes(300_000);
        // Lines starting with '.' exercise dot-stuffing on the way in and un-stuffing in the server.
        var content = Encoding.ASCII.GetBytes(
            "From: billing@example.com\r\nTo: customer@example.org\r\nSubject: bytes\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n.leading dot\r\n..two dots\r\n.\r\n" +
            "--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\n\r\n" +
            Convert.ToBase64String(pdf, Base64FormattingOptions.InsertLineBreaks) + "\r\n--b--\r\n");
        using var sender = server.Sender();

        await sender.SendAsync(RawEmail.Of("billing@example.com", ["customer@example.org"], content), default);

        var file = Assert.Single(await server.WaitForFilesAsync(1));
        var (envelope, stored) = SmtpServerFixture.Split(await File.ReadAllBytesAsync(file));
        Assert.Equal(content, stored);
        Assert.Equal("billing@example.com", envelope["X-MailFrom"]);
        Assert.Equal("customer@example.org", envelope["X-RcptTo"]);
        Assert.StartsWith("('127.0.0.1', ", envelope["X-Peer"]);
        Assert.Empty(server.Files("tmp"));
        var attachment = Assert.Single(MaildirReader.Read(server.Maildir).Single().Attachments);
        Assert.Equal(pdf, attachment.Content);
    }
}

public sealed class When_many_clients_send_at_once(SmtpServerFixture server) : IClassFixture<SmtpServerFixture>
{
    [Fact]
    public async Task Does_store_every_message_exactly_once()
    {
        const int clients = 8, each = 25;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            // Separate pools: separate connections, like separate mailer processes.
            using var sender = server.Sender(pool: 1);
            for (var i = 0; i < each; i++)
            {
                var body = Encoding.ASCII.GetBytes($"Message-ID: <m-{c}-{i}@example.com>\r\nSubject: {c}/{i}\r\n\r\n{string.Concat(Enumerable.Repeat(new string('x', 76) + "\r\n", 100))}");
                await sender.SendAsync(RawEmail.Of("billing@example.com", [$"c{c}@example.org"], body), default);
            }
        }));

        var messages = MaildirReader.Read(server.Maildir);
        Assert.Equal(clients * each, server.Files().Length);
        Assert.Equal(clients * each, messages.Select(m => m.MessageId).Distinct().Count());
        Assert.Empty(server.Files("tmp"));
    }
}

public sealed class When_two_server_processes_share_the_port(TwoProcessServer server) : IClassFixture<TwoProcessServer>
{
    [Fact]
    public async Task Does_store_every_message_once_in_the_same_maildir()
    {
        const int clients = 6, each = 10;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            using var sender = server.Sender(pool: 1);
            for (var i = 0; i < each; i++)
                await sender.SendAsync(RawEmail.Of("billing@example.com", ["c@example.org"],
                    Encoding.ASCII.GetBytes($"Message-ID: <p-{c}-{i}@example.com>\r\n\r\nbody\r\n")), default);
        }));

        Assert.Equal(clients * each, MaildirReader.Read(server.Maildir).Select(m => m.MessageId).Distinct().Count());
        Assert.Equal(clients * each, server.Files().Length);
    }
}

public sealed class When_a_message_has_several_recipients(SmtpServerFixture server) : IClassFixture<SmtpServerFixture>
{
    [Fact]
    public async Task Does_store_one_copy_naming_every_recipient()
    {
        using var sender = server.Sender();
        var body = "Subject: to three\r\n\r\nhello\r\n"u8.ToArray();

        await sender.SendAsync(RawEmail.Of("billing@example.com", ["a@example.org", "b@example.org", "c@example.net"], body), default);

        var file = Assert.Single(await server.WaitForFilesAsync(1));
        var (envelope, stored) = SmtpServerFixture.Split(await File.ReadAllBytesAsync(file));
        Assert.Equal("a@example.org, b@example.org, c@example.net", envelope["X-RcptTo"]);
        Assert.Equal(body, stored);
        Assert.Equal("a@example.org, b@example.org, c@example.net", MaildirReader.Read(server.Maildir).Single().EnvelopeTo);
    }
}

public sealed class When_a_client_sends_bad_input(SmallSizeLimitServer server) : IClassFixture<SmallSizeLimitServer>
{
    [Fact]
    public async Task Does_refuse_it_store_nothing_and_keep_serving()
    {
        using (var raw = await RawSmtp.ConnectAsync(server.Port))
        {
            Assert.StartsWith("500", await raw.CommandAsync("FROBNICATE please"));
            Assert.StartsWith("503", await raw.CommandAsync("DATA"));          // before MAIL and RCPT
            Assert.StartsWith("250", await raw.CommandAsync("EHLO test.example"));
            Assert.StartsWith("501", await raw.CommandAsync("MAIL"));
            Assert.StartsWith("500", await raw.CommandAsync("NOOP " + new string('x', 2000))); // a command line over 512 bytes
            Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<a@example.com>"));
            Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<b@example.org>"));
            Assert.StartsWith("354", await raw.CommandAsync("DATA"));
            // Over the 100,000-byte limit the server was started with: refused after the data, not stored.
            var line = new string('y', 998) + "\r\n";
            await raw.WriteAsync(string.Concat(Enumerable.Repeat(line, 150)) + ".\r\n");
            Assert.StartsWith("552", await raw.ReplyAsync());
            // The same session goes on: a message within the limit is accepted.
            Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<a@example.com>"));
            Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<b@example.org>"));
            Assert.StartsWith("354", await raw.CommandAsync("DATA"));
            Assert.StartsWith("250", await raw.CommandAsync("Subject: small\r\n\r\nok\r\n."));
            Assert.StartsWith("221", await raw.CommandAsync("QUIT"));
        }

        // A client that vanishes in the middle of DATA leaves nothing behind.
        using (var raw = await RawSmtp.ConnectAsync(server.Port))
        {
            Assert.StartsWith("250", await raw.CommandAsync("HELO test.example"));
            Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<a@example.com>"));
            Assert.StartsWith("250", await raw.CommandAsync("RCPT TO:<b@example.org>"));
            Assert.StartsWith("354", await raw.CommandAsync("DATA"));
            await raw.WriteAsync("Subject: cut off\r\n\r\nhalf a mess");
        }

        // Binary garbage instead of a command.
        using (var raw = await RawSmtp.ConnectAsync(server.Port))
        {
            await raw.WriteAsync(RandomNumberGenerator.GetBytes(300).Select(b => b is (byte)'\r' or (byte)'\n' ? (byte)'z' : b).Concat("\r\n"u8.ToArray()).ToArray());
            Assert.StartsWith("5", await raw.ReplyAsync());
        }

        using var sender = server.Sender();
        await sender.SendAsync(RawEmail.Of("billing@example.com", ["after@example.org"], "Subject: after\r\n\r\nstill here\r\n"u8.ToArray()), default);
        Assert.True(server.IsRunning);
        Assert.Equal(["after", "small"], MaildirReader.Read(server.Maildir).Select(m => m.Subject).Order(StringComparer.Ordinal));
        Assert.Empty(server.Files("tmp"));
    }
}
