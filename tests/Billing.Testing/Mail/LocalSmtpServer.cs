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

    public static ProcessStartInfo StartInfo(int port, string maildir, int processes = 1)
    {
        var info = new ProcessStartInfo("/usr/bin/python3")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { Script, "--listen", $"127.0.0.1:{port}", "--processes", processes.ToString(), maildir })
            info.ArgumentList.Add(arg);
        return info;
    }

    /// <summary>Starts the server (creating the Maildir) and waits until it accepts connections; output is discarded.</summary>
    public static async Task<Process> StartAsync(int port, string maildir, int processes = 1)
    {
        foreach (var sub in new[] { "tmp", "new", "cur" }) Directory.CreateDirectory(Path.Combine(maildir, sub));
        var process = Process.Start(StartInfo(port, maildir, processes))!;
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
                return process;
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
}
