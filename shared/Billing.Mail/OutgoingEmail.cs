using MimeKit;

namespace Billing.Mail;

/// <summary>
/// One message as it goes over the wire: the envelope (MAIL FROM, RCPT TO) and the message itself. The envelope is
/// separate from the headers on purpose: the server delivers to the envelope recipients, whatever To says.
/// </summary>
public sealed record OutgoingEmail(string MailFrom, IReadOnlyList<string> Recipients, MimeMessage Message);
