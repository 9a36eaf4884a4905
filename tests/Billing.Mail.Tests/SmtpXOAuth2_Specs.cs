using System.Diagnostics;

namespace Billing.Mail.Tests;

public sealed class When_the_server_requires_xoauth2 : IAsyncLifetime
{
    private readonly int _port = ServiceProcess.FreePort();
    private readonly string _dir = Directory.CreateTempSubdirectory("billing-mail-xoauth2-").FullName;
    private Process _process = null!;

    private string Maildir => Path.Combine(_dir, "mail");
    private string ServerToken => Path.Combine(_dir, "server-token");
    private string ClientToken => Path.Combine(_dir, "client-token");

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(ServerToken, "ya29.first");
        _process = await LocalSmtpServer.StartScriptAsync(Path.Combine(AppContext.BaseDirectory, "xoauth2_smtpd.py"), _port, Maildir, ServerToken);
    }

    public async Task DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private PooledSmtpSender Sender() => new(new SmtpOptions
    {
        Host = "127.0.0.1", Port = _port, PoolSize = 1, TimeoutSeconds = 60, Username = "billing@example.com", OAuth2TokenFile = ClientToken,
    });

    private static OutgoingEmail Email(string subject) => RawEmail.Of("billing@example.com", ["c@example.org"], $"Subject: {subject}\r\n\r\nx\r\n");

    [Fact]
    public async Task Does_log_in_with_the_token_in_the_file_and_read_it_again_for_a_new_connection()
    {
        await File.WriteAllTextAsync(ClientToken, "ya29.first\n");
        using (var sender = Sender())
            await sender.SendAsync(Email("first token"), default);

        // The token was refreshed: the server takes only the new one, and a new connection reads it from the file.
        await File.WriteAllTextAsync(ServerToken, "ya29.second");
        await File.WriteAllTextAsync(ClientToken, "ya29.second");
        using (var sender = Sender())
            await sender.SendAsync(Email("second token"), default);

        Assert.Equal(["first token", "second token"], MaildirReader.Read(Maildir).Select(m => m.Subject).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Does_fail_permanently_with_a_token_the_server_refuses_and_send_nothing()
    {
        await File.WriteAllTextAsync(ClientToken, "ya29.expired");
        using var sender = Sender();

        var ex = await Assert.ThrowsAsync<SmtpSendException>(() => sender.SendAsync(Email("never"), default));

        Assert.True(SmtpErrors.IsPermanent(ex));
        Assert.Equal(535, ex.ReplyCode);
        Assert.DoesNotContain("ya29", SmtpErrors.Describe(ex));
        Assert.Empty(MaildirReader.Files(Maildir));
    }
}
