using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Billing.Mail.Tests;

/// <summary>One smtp_maildir server on a free port with its own Maildir, for one test class.</summary>
public class SmtpServerFixture : IAsyncLifetime
{
    private Process? _process;

    public int Port { get; } = ServiceProcess.FreePort();
    public string Maildir { get; } = Path.Combine(Path.GetTempPath(), "billing-mail-tests", Guid.NewGuid().ToString("N"));
    protected virtual int Processes => 1;
    protected virtual int SizeLimit => 0;

    public async Task InitializeAsync()
    {
        if (SizeLimit == 0)
        {
            _process = await LocalSmtpServer.StartAsync(Port, Maildir, Processes);
            return;
        }
        // A small size limit: the command line of LocalSmtpServer plus --size-limit.
        foreach (var sub in new[] { "tmp", "new", "cur" }) Directory.CreateDirectory(Path.Combine(Maildir, sub));
        var info = LocalSmtpServer.StartInfo(Port, Maildir, Processes);
        info.ArgumentList.Insert(1, "--size-limit");
        info.ArgumentList.Insert(2, SizeLimit.ToString());
        _process = await LocalSmtpServer.StartAsync(info, Port);
    }

    public bool IsRunning => _process is { HasExited: false };

    public string[] Files(string sub = "new") => Directory.GetFiles(Path.Combine(Maildir, sub));

    public PooledSmtpSender Sender(int pool = 2) => new(new SmtpOptions { Host = "127.0.0.1", Port = Port, PoolSize = pool, TimeoutSeconds = 120 });

    /// <summary>Waits until the server has written <paramref name="count"/> messages (it writes before answering 250, so this is quick).</summary>
    public async Task<string[]> WaitForFilesAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (Files().Length < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        return Files();
    }

    public async Task DisposeAsync()
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
    protected override int SizeLimit => 100_000;
}

public sealed class TwoProcessServer : SmtpServerFixture
{
    protected override int Processes => 2;
}
