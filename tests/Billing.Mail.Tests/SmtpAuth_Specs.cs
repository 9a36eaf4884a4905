using System.Diagnostics;
using System.Net.Sockets;

namespace Billing.Mail.Tests;

public sealed class When_the_server_requires_authentication : IAsyncLifetime
{
    private readonly int _port = ServiceProcess.FreePort();
    private readonly string _maildir = Path.Combine(Path.GetTempPath(), "billing-mail-tests", Guid.NewGuid().ToString("N"));
    private Process _process = null!;

    public async Task InitializeAsync() =>
        _process = await LocalSmtpServer.StartScriptAsync(Path.Combine(AppContext.BaseDirectory, "auth_smtpd.py"), _port, _maildir);

    public async Task DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        try { Directory.Delete(_maildir, recursive: true); } catch (IOException) { }
    }

    private PooledSmtpSender Sender(string password) =>
        new(new SmtpOptions { Host = "127.0.0.1", Port = _port, PoolSize = 1, Username = "billing", Password = password, TimeoutSeconds = 60 });

    private static OutgoingEmail Email(string subject) =>
        RawEmail.Of("billing@example.com", ["c@example.org"], $"Subject: {subject}\r\n\r\nx\r\n");

    [Fact]
    public async Task Does_log_in_once_and_send()
    {
        using var sender = Sender("s3cret");

        await sender.SendAsync(Email("one"), default);
        await sender.SendAsync(Email("two"), default);

        Assert.Equal(["one", "two"], MaildirReader.Read(_maildir).Select(m => m.Subject).Order(StringComparer.Ordinal));
        Assert.Equal(1, sender.ConnectionsOpened);
    }

    [Fact]
    public async Task Does_fail_permanently_with_a_wrong_password_and_send_nothing()
    {
        using var sender = Sender("wrong");

        var ex = await Assert.ThrowsAsync<SmtpSendException>(() => sender.SendAsync(Email("never"), default));

        Assert.True(SmtpErrors.IsPermanent(ex));
        Assert.Contains("535", SmtpErrors.Describe(ex));
        Assert.DoesNotContain("wrong", SmtpErrors.Describe(ex));
        Assert.Empty(MaildirReader.Files(_maildir));
    }
}
