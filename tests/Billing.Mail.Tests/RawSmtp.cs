using System.Net.Sockets;
using System.Text;

namespace Billing.Mail.Tests;

/// <summary>A hand-driven SMTP conversation, for input no well-behaved client sends.</summary>
public sealed class RawSmtp : IDisposable
{
    private readonly TcpClient _tcp = new() { NoDelay = true };
    private NetworkStream _stream = null!;
    private StreamReader _reader = null!;

    public static async Task<RawSmtp> ConnectAsync(int port)
    {
        var raw = new RawSmtp();
        await raw._tcp.ConnectAsync("127.0.0.1", port);
        raw._stream = raw._tcp.GetStream();
        raw._reader = new StreamReader(raw._stream, Encoding.ASCII);
        Assert.StartsWith("220", await raw.ReplyAsync());
        return raw;
    }

    public async Task WriteAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    public Task WriteAsync(string text) => WriteAsync(Encoding.ASCII.GetBytes(text));

    /// <summary>The last line of the next reply ("250 OK" after "250-..." lines).</summary>
    public async Task<string> ReplyAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var line = await _reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("the server closed the connection");
            if (line.Length < 4 || line[3] != '-') return line;
        }
    }

    public async Task<string> CommandAsync(string command)
    {
        await WriteAsync(command + "\r\n");
        return await ReplyAsync();
    }

    public void Dispose() => _tcp.Dispose();
}
