using System.Net.Mail;

namespace Billing.Mail;

public static class SmtpErrors
{
    /// <summary>
    /// A 5xx reply: the server refused the message or recipient for good (550 mailbox unavailable, 553 bad
    /// address, 554 rejected). Sending the same message again gets the same answer, so it is recorded, not retried.
    /// Connection failures, timeouts and 4xx replies are temporary.
    /// </summary>
    public static bool IsPermanent(Exception ex) => ex switch
    {
        SmtpFailedRecipientsException many => many.InnerExceptions.Length > 0 && many.InnerExceptions.All(IsPermanent),
        SmtpException smtp => (int)smtp.StatusCode is >= 500 and < 600,
        _ => false,
    };

    /// <summary>One line for the delivery record: the reply code and the server's text.</summary>
    public static string Describe(Exception ex) => ex switch
    {
        SmtpException smtp when (int)smtp.StatusCode > 0 => $"SMTP {(int)smtp.StatusCode}: {smtp.Message}",
        _ => ex.GetBaseException().Message is { Length: > 0 } inner && inner != ex.Message ? $"{ex.Message} ({inner})" : ex.Message,
    };
}
