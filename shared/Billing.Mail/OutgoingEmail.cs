namespace Billing.Mail;

/// <summary>
/// One message as it goes over the wire: the envelope (MAIL FROM, RCPT TO) and the complete RFC 5322 message
/// (headers and MIME body, CRLF line endings, not yet dot-stuffed).
/// </summary>
public sealed record OutgoingEmail(string MailFrom, IReadOnlyList<string> Recipients, ReadOnlyMemory<byte> Content);
