namespace Billing.Mail;

/// <summary>
/// Hands a message to the SMTP server. Returns when the server accepted it (250 after DATA); throws
/// <see cref="SmtpSendException"/> otherwise — <see cref="SmtpErrors.IsPermanent"/> tells a permanent refusal (5xx, an
/// address the server cannot take) from a temporary failure (4xx, connection refused, timeout).
/// </summary>
public interface ISmtpSender
{
    Task SendAsync(OutgoingEmail email, CancellationToken ct);
}
