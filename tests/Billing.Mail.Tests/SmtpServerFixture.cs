using System.Diagnostics;
using System.Text;

namespace Billing.Mail.Tests;

/// <summary>One smtp_maildir server on a free port with its own Maildir, for one test class.</summary>
public class SmtpServerFixture : IAsyncLifetime
{
    private Process? _process;

    public int Port { get; } = ServiceProcess.FreePort();
    public string Maildir { get; } = Path.Combine(Path.GetTempPath(), "billing-mail-tests", Guid.NewGuid().ToString("N"));
    protected virtual int Processes => 1;

    /// <summary>More of the server's command line (--size-limit, --smtputf8, --tls-cert …).</summary>
    protected virtual string[] Options => [];

    public virtual async Task InitializeAsync() => _process = await LocalSmtpServer.StartAsync(Port, Maildir, Processes, Options);

    public bool IsRunning => _process is { HasExited: false };

    public string[] Files(string folder = "new") => MaildirReader.Files(Maildir, folder);

    public PooledSmtpSender Sender(int pool = 2) => new(new SmtpOptions { Host = "127.0.0.1", Port = Port, PoolSize = pool, TimeoutSeconds = 120 });

    /// <summary>Waits until the server has written <paramref name="count"/> messages (it writes before answering 250, so this is quick).</summary>
    public async Task<string[]> WaitForFilesAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (Files().Length < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        return Files();
    }

    public virtual async Task DisposeAsync()
    {
        await DisposeProcessAsync();
        try { Directory.Delete(Maildir, recursive: true); } catch (IOException) { }
    }

    protected async Task DisposeProcessAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        _process = null;
    }

    /// <summary>The stored file split into the envelope headers the server put in front and the bytes the client sent.</summary>
    public static (Dictionary<string, string> Envelope, byte[] Content) Split(byte[] file)
    {
        var envelope = new Dictionary<string, string>();
        var at = 0;
        for (var i = 0; i < 3; i++)
        {
            var end = file.AsSpan(at).IndexOf("\r\n"u8);
            var line = Encoding.UTF8.GetString(file, at, end);
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            envelope[line[..colon]] = line[(colon + 2)..];
            at += end + 2;
        }
        return (envelope, file[at..]);
    }
}

public sealed class SmallSizeLimitServer : SmtpServerFixture
{
    protected override string[] Options => ["--size-limit", "100000"];
}

public sealed class TwoProcessServer : SmtpServerFixture
{
    protected override int Processes => 2;
}

/// <summary>A server that offers SMTPUTF8 (RFC 6531), so it takes non-ASCII addresses.</summary>
public sealed class Utf8Server : SmtpServerFixture
{
    protected override string[] Options => ["--smtputf8"];
}

/// <summary>
/// A server that offers STARTTLS with a self-signed certificate for 127.0.0.1 made for this test class, and refuses
/// MAIL before it.
/// </summary>
public sealed class TlsServer : SmtpServerFixture
{
    private readonly string _dir = Directory.CreateTempSubdirectory("billing-smtp-tls-").FullName;

    public string CertificateFile => Path.Combine(_dir, "cert.pem");
    private string KeyFile => Path.Combine(_dir, "key.pem");

    protected override string[] Options => ["--tls-cert", CertificateFile, "--tls-key", KeyFile];

    public override Task InitializeAsync()
    {
        SelfSigned.Write(CertificateFile, KeyFile, "127.0.0.1");
        return base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    public PooledSmtpSender TlsSender(bool trustCertificate) => new(new SmtpOptions
    {
        Host = "127.0.0.1", Port = Port, PoolSize = 1, TimeoutSeconds = 60, EnableSsl = true,
        TrustedCertificateFile = trustCertificate ? CertificateFile : null,
    });
}
