namespace Billing.Mail;

public static class SmtpErrors
{
    /// <summary>
    /// A 5xx reply: the server refused the message or recipient for good (550 mailbox unavailable, 553 bad
    /// address, 554 rejected), or the address needs SMTPUTF8 and the server does not offer it. Sending the same
    /// message again gets the same answer, so it is recorded, not retried. Connection failures, timeouts and 4xx
    /// replies are temporary.
    /// </summary>
    public static bool IsPermanent(Exception ex) => ex is SmtpSendException { IsPermanent: true };

    /// <summary>One line for the delivery record: the reply code and the server's text.</summary>
    public static string Describe(Exception ex) => ex switch
    {
        SmtpSendException { ReplyCode: > 0 } smtp => $"SMTP {smtp.ReplyCode}: {smtp.Message}",
        _ => ex.GetBaseException().Message is { Length: > 0 } inner && inner != ex.Message ? $"{ex.Message} ({inner})" : ex.Message,
    };
}
