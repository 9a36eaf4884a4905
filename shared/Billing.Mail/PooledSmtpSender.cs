using System.Diagnostics;
using System.Threading.Channels;
using MailKit.Security;

namespace Billing.Mail;

/// <summary>
/// A fixed pool of open SMTP connections (<see cref="SmtpConnection"/>, each a MailKit client, which is not
/// thread-safe). A connection sends one message at a time, so concurrent senders each take one and wait when all are
/// busy; throughput scales with the pool size until the server is the limit. Connections open on first use, stay
/// open between messages, and are replaced after any failure or after <see cref="MaxIdle"/> without use (servers
/// close idle sessions).
/// </summary>
public sealed class PooledSmtpSender : ISmtpSender, IDisposable
{
    /// <summary>Below the idle timeouts of common servers (aiosmtpd 300 s, Postfix 300 s, many relays 60 s).</summary>
    public static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(30);

    private readonly SmtpOptions _options;
    // One slot per pool member: an open connection, or null when that member has none yet (or lost it).
    private readonly Channel<SmtpConnection?> _slots;
    private int _disposed;
    private long _opened;

    public PooledSmtpSender(SmtpOptions options)
    {
        _options = options;
        _slots = Channel.CreateBounded<SmtpConnection?>(options.PoolSize);
        for (var i = 0; i < options.PoolSize; i++) _slots.Writer.TryWrite(null);
    }

    public int PoolSize => _options.PoolSize;

    /// <summary>Connections opened so far (a new one per failure or idle expiry, not per message).</summary>
    public long ConnectionsOpened => Interlocked.Read(ref _opened);

    public async Task SendAsync(OutgoingEmail email, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        var connection = await _slots.Reader.ReadAsync(ct);
        try
        {
            // The timeout covers the whole send, including connecting when needed.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
            try
            {
                if (connection is not null && Stopwatch.GetElapsedTime(connection.LastUsed) > MaxIdle)
                {
                    connection.Dispose();
                    connection = null;
                }
                var reused = connection is not null;
                connection ??= await OpenAsync(timeout.Token);
                try
                {
                    await connection.SendAsync(email, timeout.Token);
                }
                catch (SmtpConnectionLostException) when (reused)
                {
                    // The server closed the kept connection before this message started: nothing was sent, so one
                    // fresh connection may try. A failure on a fresh connection is a real failure.
                    connection.Dispose();
                    connection = null;
                    connection = await OpenAsync(timeout.Token);
                    await connection.SendAsync(email, timeout.Token);
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new SmtpSendException($"the SMTP server {_options.Host}:{_options.Port} did not answer within {_options.TimeoutSeconds} s");
            }
            catch (Exception ex) when (ex is SmtpConnectionLostException or SslHandshakeException || SmtpConnection.IsConnectionFailure(ex))
            {
                var cause = ex is SmtpConnectionLostException ? ex.InnerException! : ex;
                throw new SmtpSendException($"sending to the SMTP server {_options.Host}:{_options.Port} failed: {cause.Message}", inner: ex);
            }
        }
        catch
        {
            // After a failure the session is in an unknown state: the next sender of this slot opens a new one.
            connection?.Dispose();
            connection = null;
            throw;
        }
        finally
        {
            if (Volatile.Read(ref _disposed) == 1 || !_slots.Writer.TryWrite(connection)) connection?.Dispose();
        }
    }

    private async Task<SmtpConnection> OpenAsync(CancellationToken ct)
    {
        var connection = await SmtpConnection.OpenAsync(_options, ct);
        Interlocked.Increment(ref _opened);
        return connection;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _slots.Writer.TryComplete();
        while (_slots.Reader.TryRead(out var connection)) connection?.Dispose();
    }
}
