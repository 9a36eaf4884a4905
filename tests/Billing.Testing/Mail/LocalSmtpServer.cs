using System.Diagnostics;
using System.Net.Sockets;

namespace Billing.Testing;

/// <summary>
/// The command line of the project's SMTP server (deploy/local/smtp_maildir.py: aiosmtpd writing each message's bytes
/// to a Maildir), in one place for every test and benchmark that starts its own instance.
/// </summary>
public static class LocalSmtpServer
{
    public static string Script => Path.Combine(RepoPaths.Root, "deploy", "local", "smtp_maildir.py");

    /// <summary>The server's command line; <paramref name="options"/> go before the Maildir (e.g. "--smtputf8", "--tls-cert", file).</summary>
    public static ProcessStartInfo StartInfo(int port, string maildir, int processes = 1, params string[] options)
    {
        var info = new ProcessStartInfo("/usr/bin/python3")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { Script, "--listen", $"127.0.0.1:{port}", "--processes", processes.ToString() }.Concat(options).Append(maildir))
            info.ArgumentList.Add(arg);
        return info;
    }

    /// <summary>Starts the server (creating the Maildir) and waits until it accepts connections; output is discarded.</summary>
    public static Task<Process> StartAsync(int port, string maildir, int processes = 1, params string[] options)
    {
        foreach (var sub in new[] { "tmp", "new", "cur" }) Directory.CreateDirectory(Path.Combine(maildir, sub));
        return StartAsync(StartInfo(port, maildir, processes, options), port);
    }

    /// <summary>
    /// Starts a test's own server script built on smtp_maildir.py (e.g. one that requires a login), called as
    /// <c>script folder-of-smtp_maildir.py port maildir more…</c>, and waits until it accepts connections.
    /// </summary>
    public static Task<Process> StartScriptAsync(string script, int port, string maildir, params string[] more)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { script, Path.GetDirectoryName(Script)!, port.ToString(), maildir }.Concat(more))
            info.ArgumentList.Add(arg);
        return StartAsync(info, port);
    }

    /// <summary>Starts an SMTP server from its command line and waits until it greets on the port; output is discarded.</summary>
    public static async Task<Process> StartAsync(ProcessStartInfo info, int port)
    {
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
                // Something answering on the port is not enough: another process may hold it (this one then exits).
                if (await GreetsAsync(tcp) && !process.HasExited) return process;
                if (process.HasExited)
                    throw new InvalidOperationException($"the SMTP server could not listen on 127.0.0.1:{port} (another process holds it; exit code {process.ExitCode})");
                await Task.Delay(100);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (SocketException)
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"the SMTP server did not open 127.0.0.1:{port} (exit code {(process.HasExited ? process.ExitCode : -1)})");
            }
        }
    }

    private static async Task<bool> GreetsAsync(TcpClient tcp)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var buffer = new byte[3];
            var read = 0;
            var stream = tcp.GetStream();
            while (read < 3)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
                if (n == 0) return false;
                read += n;
            }
            return buffer is [(byte)'2', (byte)'2', (byte)'0'];
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            return false;
        }
    }
}
