using System.Net.Sockets;
using Billing.Mail;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Billing.Mailer;

/// <summary>
/// Can the SMTP server be reached? Degraded, not unhealthy, when it cannot: the mailer keeps consuming and its
/// sends fail into retries and the error queue, from where they are redriven once the server is back.
/// </summary>
internal sealed class SmtpHealthCheck(IOptions<SmtpOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var o = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(o.Host, o.Port, timeout.Token);
            return HealthCheckResult.Healthy($"{o.Host}:{o.Port}");
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return HealthCheckResult.Degraded($"{o.Host}:{o.Port} unreachable: {ex.Message}");
        }
    }
}
