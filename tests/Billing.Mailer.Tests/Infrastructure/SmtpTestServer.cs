using System.Diagnostics;
using System.Net.Sockets;
using Billing.Testing;

namespace Billing.Mailer.Tests.Infrastructure;

/// <summary>
/// This test class's own SMTP server (<see cref="LocalSmtpServer"/>), writing every accepted message to its own Maildir. Can be killed and started
/// again on the same port and directory, to play an SMTP outage.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private Process? _process;

    private SmtpTestServer(int port, string maildir)
    {
        Port = port;
        Maildir = maildir;
    }

    public int Port { get; }
    public string Maildir { get; }

    public static async Task<SmtpTestServer> StartAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "billing-mailer-tests", Guid.NewGuid().ToString("N"));
        var server = new SmtpTestServer(ServiceProcess.FreePort(), dir);
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        if (_process is { HasExited: false }) return;
        _process = await LocalSmtpServer.StartAsync(Port, Maildir);
    }

    /// <summary>SIGKILL: the server disappears mid-conversation, as a crashed relay does.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        await WaitForPortAsync(Port, open: false);
    }

    public IReadOnlyList<ReceivedMail> Messages() => MaildirReader.Read(Maildir);

    public static async Task WaitForPortAsync(int port, bool open)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
                if (open) return;
            }
            catch (SocketException)
            {
                if (!open) return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"port {port} did not become {(open ? "open" : "closed")}");
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        try { Directory.Delete(Maildir, recursive: true); } catch (IOException) { }
    }
}
