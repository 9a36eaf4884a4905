using System.Diagnostics;
using System.Net;
using System.Net.Mail;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Billing.Mail;

/// <summary>
/// One open SMTP session (RFC 5321) that sends any number of messages: connect, greeting, EHLO, STARTTLS and AUTH
/// once, then MAIL/RCPT/DATA per message. <see cref="SmtpClient"/> opens a new connection for every message and
/// writes small segments with Nagle's algorithm on, which costs tens of milliseconds per message on loopback; this
/// keeps the connection, sets TCP_NODELAY and writes the whole message in one call.
/// </summary>
internal sealed class SmtpConnection : IDisposable
{
    private const int MaxReplyBytes = 64 * 1024;
    private static readonly byte[] Crlf = "\r\n"u8.ToArray();
    private static readonly string ClientName = LocalName();

    private readonly TcpClient _tcp;
    private Stream _stream = Stream.Null; // the socket's stream once connected, then the TLS stream after STARTTLS
    private readonly byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;
    private HashSet<string> _extensions = new(StringComparer.OrdinalIgnoreCase);

    private SmtpConnection(TcpClient tcp) => _tcp = tcp;

    /// <summary>When the connection last finished a message (or opened), for dropping connections left idle too long.</summary>
    public long LastUsed { get; private set; } = Stopwatch.GetTimestamp();

    /// <summary>How many messages this connection has sent.</summary>
    public int Sent { get; private set; }

    public static async Task<SmtpConnection> OpenAsync(SmtpOptions options, CancellationToken ct)
    {
        var tcp = new TcpClient { NoDelay = true };
        var connection = new SmtpConnection(tcp);
        try
        {
            try
            {
                await tcp.ConnectAsync(options.Host, options.Port, ct);
                connection._stream = tcp.GetStream();
            }
            catch (SocketException ex)
            {
                throw new SmtpException($"cannot connect to the SMTP server {options.Host}:{options.Port}: {ex.Message}", ex);
            }
            await connection.ExpectAsync(null, 220, ct);
            await connection.HelloAsync(ct);
            if (options.EnableSsl)
            {
                if (!connection._extensions.Contains("STARTTLS"))
                    throw new SmtpException(SmtpStatusCode.CommandNotImplemented, $"the SMTP server {options.Host}:{options.Port} does not offer STARTTLS");
                await connection.ExpectAsync("STARTTLS", 220, ct);
                var ssl = new SslStream(connection._stream, leaveInnerStreamOpen: false);
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = options.Host }, ct);
                connection._stream = ssl;
                await connection.HelloAsync(ct);
            }
            if (!string.IsNullOrEmpty(options.Username)) await connection.AuthenticateAsync(options.Username, options.Password ?? "", ct);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends one message. A refused recipient throws <see cref="SmtpFailedRecipientException"/> and nothing is sent;
    /// any other refusal throws <see cref="SmtpException"/> with the server's code. After any exception the
    /// connection is in an unknown state and must be disposed. <see cref="SmtpConnectionLostException"/> means the
    /// connection failed before the server took the MAIL command: nothing of this message reached it.
    /// </summary>
    public async Task SendAsync(OutgoingEmail email, CancellationToken ct)
    {
        try
        {
            await ExpectAsync($"MAIL FROM:<{Checked(email.MailFrom)}>", 250, ct);
        }
        catch (Exception ex) when (ex is IOException or SocketException or EndOfStreamException)
        {
            throw new SmtpConnectionLostException(ex);
        }
        foreach (var recipient in email.Recipients)
        {
            var (code, text) = await CommandAsync($"RCPT TO:<{Checked(recipient)}>", ct);
            if (code is not (250 or 251))
                throw new SmtpFailedRecipientException((SmtpStatusCode)code, recipient, $"{code} {text}");
        }
        await ExpectAsync("DATA", 354, ct);
        await _stream.WriteAsync(DotStuffed(email.Content.Span), ct);
        await ExpectAsync(null, 250, ct);
        LastUsed = Stopwatch.GetTimestamp();
        Sent++;
    }

    private async Task HelloAsync(CancellationToken ct)
    {
        var (code, text) = await CommandAsync($"EHLO {ClientName}", ct);
        if (code == 250)
        {
            // The first line greets; each further line names an extension and its parameters.
            _extensions = text.Split('\n').Skip(1).Select(l => l.Split(' ', 2)[0].Trim()).Where(e => e.Length > 0)
                .ToHashSet(StringComparer.OrdinalIgnoreCase);
            _extensions.UnionWith(text.Split('\n').Skip(1).Where(l => l.StartsWith("AUTH", StringComparison.OrdinalIgnoreCase))
                .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)).Select(m => "AUTH=" + m.Trim()));
            return;
        }
        await ExpectAsync($"HELO {ClientName}", 250, ct);
        _extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    }

    private async Task AuthenticateAsync(string user, string password, CancellationToken ct)
    {
        if (_extensions.Contains("AUTH=PLAIN") || !_extensions.Contains("AUTH=LOGIN"))
        {
            var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));
            await ExpectAsync("AUTH PLAIN " + plain, 235, ct, secret: true);
            return;
        }
        await ExpectAsync("AUTH LOGIN", 334, ct);
        await ExpectAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(user)), 334, ct, secret: true);
        await ExpectAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(password)), 235, ct, secret: true);
    }

    private async Task ExpectAsync(string? command, int expected, CancellationToken ct, bool secret = false)
    {
        var (code, text) = command is null ? await ReadReplyAsync(ct) : await CommandAsync(command, ct);
        if (code == expected) return;
        var what = command is null ? "the server" : secret ? command.Split(' ')[0] + " …" : command.Split(':')[0];
        throw new SmtpException((SmtpStatusCode)code, $"{what} refused: {code} {text.Replace('\n', ' ')}");
    }

    private async Task<(int Code, string Text)> CommandAsync(string command, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(command + "\r\n");
        await _stream.WriteAsync(bytes, ct);
        return await ReadReplyAsync(ct);
    }

    /// <summary>A reply, possibly multi-line ("250-..." lines then "250 ..."): its code and its lines' text joined by '\n'.</summary>
    private async Task<(int Code, string Text)> ReadReplyAsync(CancellationToken ct)
    {
        var text = new StringBuilder();
        var total = 0;
        while (true)
        {
            var line = await ReadLineAsync(ct);
            total += line.Length;
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), out var code) || (line.Length > 3 && line[3] is not (' ' or '-')))
                throw new SmtpException($"the SMTP server sent something that is not a reply: '{Truncate(line)}'");
            if (text.Length > 0) text.Append('\n');
            text.Append(line.Length > 4 ? line[4..] : "");
            if (line.Length == 3 || line[3] == ' ') return (code, text.ToString());
            if (total > MaxReplyBytes) throw new SmtpException("the SMTP server's reply is too long");
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await _stream.ReadAsync(_buffer, ct);
                if (_end == 0) throw new EndOfStreamException("the SMTP server closed the connection");
            }
            var span = _buffer.AsSpan(_start, _end - _start);
            var lf = span.IndexOf((byte)'\n');
            if (lf < 0)
            {
                line.AddRange(span);
                _start = _end;
                if (line.Count > MaxReplyBytes) throw new SmtpException("the SMTP server's reply line is too long");
                continue;
            }
            line.AddRange(span[..lf]);
            _start += lf + 1;
            if (line.Count > 0 && line[^1] == '\r') line.RemoveAt(line.Count - 1);
            return Encoding.UTF8.GetString(line.ToArray());
        }
    }

    /// <summary>RFC 5321 4.5.2: a line starting with '.' gets another one; the data ends with CRLF "." CRLF.</summary>
    internal static byte[] DotStuffed(ReadOnlySpan<byte> content)
    {
        var dots = content.Length > 0 && content[0] == '.' ? 1 : 0;
        for (var at = content.IndexOf("\n."u8); at >= 0;)
        {
            dots++;
            var next = content[(at + 2)..].IndexOf("\n."u8);
            at = next < 0 ? -1 : at + 2 + next;
        }
        var endsWithCrlf = content.EndsWith(Crlf);
        var output = new byte[content.Length + dots + (endsWithCrlf ? 0 : 2) + 3];
        var o = 0;
        var rest = content;
        var lineStart = true;
        while (rest.Length > 0)
        {
            if (lineStart && rest[0] == '.') output[o++] = (byte)'.';
            var lf = rest.IndexOf((byte)'\n');
            var take = lf < 0 ? rest.Length : lf + 1;
            rest[..take].CopyTo(output.AsSpan(o));
            o += take;
            rest = rest[take..];
            lineStart = lf >= 0;
        }
        if (!endsWithCrlf)
        {
            output[o++] = (byte)'\r';
            output[o++] = (byte)'\n';
        }
        ".\r\n"u8.CopyTo(output.AsSpan(o));
        return output;
    }

    // Envelope addresses are validated before they get here (EmailAddresses); this keeps a bad one from breaking the session.
    // Non-ASCII would need SMTPUTF8, which is not negotiated: refused like SmtpClient does, as a failure to retry later.
    private static string Checked(string address) =>
        address.Any(c => c is '\r' or '\n' or '<' or '>' or > '~' or < ' ')
            ? throw new SmtpException($"'{address}' cannot be used in an SMTP envelope without SMTPUTF8")
            : address;

    private static string Truncate(string s) => s.Length > 80 ? s[..80] + "…" : s;

    private static string LocalName()
    {
        try
        {
            var name = Dns.GetHostName();
            return name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-') ? name : "localhost";
        }
        catch (SocketException)
        {
            return "localhost";
        }
    }

    /// <summary>Says goodbye without waiting for the answer, then closes.</summary>
    public void Dispose()
    {
        try
        {
            if (_tcp.Connected) _stream.Write("QUIT\r\n"u8);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
        _stream.Dispose();
        _tcp.Dispose();
    }
}

/// <summary>The connection broke before the server took MAIL FROM: the message was not sent, another connection may try.</summary>
internal sealed class SmtpConnectionLostException(Exception inner)
    : SmtpException("the connection to the SMTP server was lost: " + inner.Message, inner);
