using System.Net.Mail;

namespace Billing.Mail;

/// <summary>
/// Hands a message to the SMTP server. Returns when the server accepted it (250 after DATA); throws
/// <see cref="SmtpException"/> otherwise — <see cref="SmtpErrors.IsPermanent"/> tells a 5xx refusal from a
/// temporary failure (4xx, connection refused, timeout).
/// </summary>
public interface ISmtpSender
{
    Task SendAsync(OutgoingEmail email, CancellationToken ct);
}
