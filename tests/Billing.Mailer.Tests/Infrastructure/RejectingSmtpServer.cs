using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Billing.Mailer.Tests.Infrastructure;

/// <summary>
/// A tiny SMTP server that greets, accepts EHLO and MAIL FROM, and refuses every RCPT TO with a fixed reply
/// (550 by default): a recipient the receiving system will never accept. Counts what it was asked.
/// </summary>
public sealed class RejectingSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _rcptReply;
    private readonly Task _loop;
    private int _connections;
    private int _rcptAttempts;
    private int _dataCommands;

    public RejectingSmtpServer(string rcptReply = "550 5.1.1 <{0}>: Recipient address rejected: User unknown")
    {
        _rcptReply = rcptReply;
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public int Connections => Volatile.Read(ref _connections);
    public int RcptAttempts => Volatile.Read(ref _rcptAttempts);
    public int DataCommands => Volatile.Read(ref _dataCommands);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 reject.test ESMTP fake");
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-reject.test");
                        await writer.WriteLineAsync("250 8BITMIME");
                        break;
                    case "HELO" or "MAIL" or "RSET" or "NOOP":
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RCPT":
                        Interlocked.Increment(ref _rcptAttempts);
                        var address = line.Contains('<') ? line[(line.IndexOf('<') + 1)..line.IndexOf('>')] : line;
                        await writer.WriteLineAsync(string.Format(_rcptReply, address));
                        break;
                    case "DATA":
                        Interlocked.Increment(ref _dataCommands);
                        await writer.WriteLineAsync("503 5.5.1 No valid recipients");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 5.5.2 Command not recognized");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
