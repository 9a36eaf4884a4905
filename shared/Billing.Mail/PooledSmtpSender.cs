using System.Net;
using System.Net.Mail;
using System.Threading.Channels;

namespace Billing.Mail;

/// <summary>
/// A fixed pool of <see cref="SmtpClient"/>s. A client is one connection and sends one message at a time, so
/// concurrent senders each take a client from the pool and wait when all are busy; throughput scales with the
/// pool size until the server is the limit.
/// </summary>
public sealed class PooledSmtpSender : ISmtpSender, IDisposable
{
    private readonly SmtpOptions _options;
    private readonly Channel<SmtpClient> _idle;
    private int _disposed;

    public PooledSmtpSender(SmtpOptions options)
    {
        _options = options;
        _idle = Channel.CreateBounded<SmtpClient>(options.PoolSize);
        for (var i = 0; i < options.PoolSize; i++) _idle.Writer.TryWrite(NewClient());
    }

    public int PoolSize => _options.PoolSize;

    public async Task SendAsync(MailMessage message, CancellationToken ct)
    {
        var client = await _idle.Reader.ReadAsync(ct);
        var healthy = false;
        try
        {
            // SmtpClient.Timeout only covers the synchronous Send; the async one needs its own deadline.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
            try
            {
                await client.SendMailAsync(message, timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new SmtpException(SmtpStatusCode.GeneralFailure,
                    $"the SMTP server {_options.Host}:{_options.Port} did not answer within {_options.TimeoutSeconds} s");
            }
            healthy = true;
        }
        finally
        {
            // A client whose send failed may hold a half-open connection: replace it rather than reuse it.
            if (!healthy)
            {
                client.Dispose();
                client = NewClient();
            }
            if (Volatile.Read(ref _disposed) == 1 || !_idle.Writer.TryWrite(client)) client.Dispose();
        }
    }

    private SmtpClient NewClient()
    {
        var client = new SmtpClient(_options.Host, _options.Port)
        {
            EnableSsl = _options.EnableSsl,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            Timeout = _options.TimeoutSeconds * 1000,
        };
        if (!string.IsNullOrEmpty(_options.Username))
            client.Credentials = new NetworkCredential(_options.Username, _options.Password);
        return client;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _idle.Writer.TryComplete();
        while (_idle.Reader.TryRead(out var client)) client.Dispose();
    }
}
