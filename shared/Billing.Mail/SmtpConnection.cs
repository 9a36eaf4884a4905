using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Billing.Mail;

/// <summary>
/// One open SMTP session (MailKit's <see cref="SmtpClient"/>) that sends any number of messages: connect, EHLO,
/// STARTTLS and AUTH once, then MAIL/RCPT/DATA per message. A MailKit client is one connection and not thread-safe:
/// <see cref="PooledSmtpSender"/> lends each to one sender at a time. The socket is ours, connected with TCP_NODELAY
/// (small SMTP commands otherwise wait for Nagle's algorithm, tens of milliseconds per message on loopback), and
/// what MailKit writes reaches it in one write per flush (<see cref="CoalescingStream"/>).
/// </summary>
internal sealed class SmtpConnection : IDisposable
{
    private static readonly FormatOptions International = CreateInternational();

    private readonly TrackingSmtpClient _client;

    private SmtpConnection(TrackingSmtpClient client) => _client = client;

    /// <summary>When the connection last finished a message (or opened), for dropping connections left idle too long.</summary>
    public long LastUsed { get; private set; } = Stopwatch.GetTimestamp();

    /// <summary>How many messages this connection has sent.</summary>
    public int Sent { get; private set; }

    public static async Task<SmtpConnection> OpenAsync(SmtpOptions options, CancellationToken ct)
    {
        var client = new TrackingSmtpClient { Timeout = options.TimeoutSeconds * 1000 };
        if (SmtpCertificates.Trusted(options) is { } trusted) client.ServerCertificateValidationCallback = SmtpCertificates.Validator(trusted);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            try
            {
                await socket.ConnectAsync(options.Host, options.Port, ct);
            }
            catch (SocketException ex)
            {
                throw new SmtpSendException($"cannot connect to the SMTP server {options.Host}:{options.Port}: {ex.Message}", inner: ex);
            }
            try
            {
                await client.ConnectAsync(new CoalescingStream(new NetworkStream(socket, ownsSocket: true)), options.Host, options.Port,
                    options.EnableSsl ? SecureSocketOptions.StartTls : SecureSocketOptions.None, ct);
            }
            catch (NotSupportedException ex) when (options.EnableSsl)
            {
                throw new SmtpSendException($"the SMTP server {options.Host}:{options.Port} does not offer STARTTLS", 502, inner: ex);
            }
            await AuthenticateAsync(client, options, ct);
            // With SIZE offered MailKit writes every message twice, once only to count its bytes for MAIL FROM's
            // SIZE=. Invoice emails are far below any server's limit, and a server still refuses an oversized one
            // after DATA (552, a permanent failure).
            client.Capabilities &= ~SmtpCapabilities.Size;
            return new SmtpConnection(client);
        }
        catch
        {
            client.Dispose();
            socket.Dispose();
            throw;
        }
    }

    private static async Task AuthenticateAsync(SmtpClient client, SmtpOptions options, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(options.Username)) return;
        try
        {
            if (!string.IsNullOrEmpty(options.OAuth2TokenFile))
            {
                // Read for every new connection: a token refresher outside the mailer rewrites the file before it expires.
                var token = (await File.ReadAllTextAsync(options.OAuth2TokenFile, ct)).Trim();
                await client.AuthenticateAsync(new SaslMechanismOAuth2(options.Username, token), ct);
            }
            else
            {
                await client.AuthenticateAsync(new NetworkCredential(options.Username, options.Password), ct);
            }
        }
        catch (AuthenticationException ex)
        {
            // The server refused the credentials: every message would be refused the same way until they are fixed.
            var code = ex.InnerException is SmtpCommandException command ? (int)command.StatusCode : 535;
            throw new SmtpSendException($"AUTH refused: {code} {ex.Message}", code, inner: ex);
        }
        catch (NotSupportedException ex)
        {
            throw new SmtpSendException($"the SMTP server {options.Host}:{options.Port} offers no login the mailer can use ({ex.Message})", 504, inner: ex);
        }
    }

    /// <summary>
    /// Sends one message. A refusal throws <see cref="SmtpSendException"/> with the server's code and nothing more
    /// is sent. After any exception the connection is in an unknown state and must be disposed.
    /// <see cref="SmtpConnectionLostException"/> means the connection failed before the server took MAIL FROM:
    /// nothing of this message reached it.
    /// </summary>
    public async Task SendAsync(OutgoingEmail email, CancellationToken ct)
    {
        var sender = MailboxAddress.Parse(email.MailFrom);
        var recipients = email.Recipients.Select(MailboxAddress.Parse).ToList();
        var options = FormatOptions.Default;
        if (!IsAscii(email.MailFrom) || email.Recipients.Any(r => !IsAscii(r)))
        {
            // RFC 6531: a non-ASCII mailbox needs SMTPUTF8. Without it the address cannot be written at all, so this
            // server will never take the message: a permanent refusal, not a retry.
            if (!_client.Capabilities.HasFlag(SmtpCapabilities.UTF8))
                throw new SmtpSendException(
                    $"the SMTP server does not offer SMTPUTF8, which the address {NonAscii(email)} needs", permanent: true);
            options = International;
        }
        _client.SenderAccepted = false;
        try
        {
            await _client.SendAsync(options, email.Message, sender, recipients, ct);
        }
        catch (Exception ex) when (!_client.SenderAccepted && IsConnectionFailure(ex))
        {
            throw new SmtpConnectionLostException(ex);
        }
        catch (SmtpCommandException ex)
        {
            var code = (int)ex.StatusCode;
            var what = ex.ErrorCode switch
            {
                SmtpErrorCode.RecipientNotAccepted => $"RCPT TO <{ex.Mailbox?.Address}>",
                SmtpErrorCode.SenderNotAccepted => "MAIL FROM",
                SmtpErrorCode.MessageNotAccepted => "DATA",
                _ => "the server",
            };
            throw new SmtpSendException($"{what} refused: {code} {ex.Message}", code, inner: ex);
        }
        catch (ServiceNotAuthenticatedException ex)
        {
            // MailKit's name for reply 530: the server wants a login or STARTTLS first, a setting to fix.
            throw new SmtpSendException($"MAIL FROM refused: 530 {ex.Message}", 530, inner: ex);
        }
        LastUsed = Stopwatch.GetTimestamp();
        Sent++;
    }

    internal static bool IsConnectionFailure(Exception ex) =>
        ex is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException;

    private static bool IsAscii(string address) => address.All(char.IsAscii);

    private static string NonAscii(OutgoingEmail email) =>
        string.Join(", ", new[] { email.MailFrom }.Concat(email.Recipients).Where(a => !IsAscii(a)));

    private static FormatOptions CreateInternational()
    {
        var options = FormatOptions.Default.Clone();
        options.International = true;
        return options;
    }

    /// <summary>Says goodbye without waiting for the answer, then closes.</summary>
    public void Dispose() => _client.Dispose();

    /// <summary>A MailKit client that remembers whether the server took MAIL FROM for the message being sent.</summary>
    private sealed class TrackingSmtpClient : SmtpClient
    {
        public bool SenderAccepted { get; set; }

        protected override void OnSenderAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
        {
            SenderAccepted = true;
            base.OnSenderAccepted(message, mailbox, response);
        }
    }
}

/// <summary>The connection broke before the server took MAIL FROM: the message was not sent, another connection may try.</summary>
internal sealed class SmtpConnectionLostException(Exception inner)
    : Exception("the connection to the SMTP server was lost: " + inner.Message, inner);

/// <summary>STARTTLS against a server whose certificate is not in the system's trust store (a private CA, a self-signed relay).</summary>
internal static class SmtpCertificates
{
    public static X509Certificate2Collection? Trusted(SmtpOptions options)
    {
        if (string.IsNullOrEmpty(options.TrustedCertificateFile)) return null;
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(options.TrustedCertificateFile);
        return certificates;
    }

    /// <summary>
    /// Accepts what the system accepts, and else a chain that ends in one of <paramref name="trusted"/>. The name must
    /// match either way.
    /// </summary>
    public static RemoteCertificateValidationCallback Validator(X509Certificate2Collection trusted) => (_, certificate, _, errors) =>
    {
        if (errors == SslPolicyErrors.None) return true;
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    };
}
