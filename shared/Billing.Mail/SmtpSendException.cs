namespace Billing.Mail;

/// <summary>
/// Sending one message failed. <see cref="ReplyCode"/> is the SMTP server's reply code when it answered (550, 451, 535
/// …), 0 when it did not (connection refused, lost, timed out). <see cref="IsPermanent"/>: the same message would fail
/// again (a 5xx reply, or an address this server cannot take), so it is recorded rather than retried.
/// </summary>
public sealed class SmtpSendException(string message, int replyCode = 0, bool? permanent = null, Exception? inner = null)
    : Exception(message, inner)
{
    public int ReplyCode { get; } = replyCode;

    public bool IsPermanent { get; } = permanent ?? replyCode is >= 500 and < 600;
}
