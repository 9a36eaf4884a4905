using MimeKit;

namespace Billing.Mail;

/// <summary>
/// One message as it goes over the wire: the envelope (MAIL FROM, RCPT TO) and the message itself. The envelope is
/// separate from the headers on purpose: the server delivers to the envelope recipients, whatever To says.
/// Dispose it once sent: every MimeKit message and part has a finalizer, and one left to it survives a garbage
/// collection and waits for the finalizer thread, six objects per email.
/// </summary>
public sealed record OutgoingEmail(string MailFrom, IReadOnlyList<string> Recipients, MimeMessage Message) : IDisposable
{
    public void Dispose() => Message.Dispose();
}
