using System.Net;
using System.Text;
using MimeKit;
using Billing.Invoicing.CreditNotes;

namespace Billing.Mail;

/// <summary>A credit note as a MIME message: text and HTML bodies, its PDF attached; the same structure as an invoice email.</summary>
public sealed class CreditNoteEmailComposer(MailOptions options)
{
    private readonly MailboxAddress _from = MailboxAddress.Parse(options.From);
    private readonly MailboxAddress? _replyTo = string.IsNullOrWhiteSpace(options.ReplyTo) ? null : MailboxAddress.Parse(options.ReplyTo);

    /// <summary>One email per credit note: every attempt carries the same id, so a rare duplicate is recognisable.</summary>
    public string MessageId(Guid creditNoteId) => $"<{MessageIdValue(creditNoteId)}>";

    private string MessageIdValue(Guid creditNoteId) => $"credit-note-{creditNoteId:D}@{_from.Domain}";

    public static string Subject(CreditNoteEmail e) => $"Credit note {e.CreditNoteNumber} for invoice {e.InvoiceNumber}";

    public static string AttachmentName(CreditNoteEmail e) =>
        "credit-note-" + new string(e.CreditNoteNumber.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()) + ".pdf";

    public OutgoingEmail Compose(CreditNoteEmail e, DateTimeOffset date)
    {
        var message = PdfEmail.NewMessage();
        message.From.Add(PdfEmail.Copy(_from));
        message.To.Add(new MailboxAddress("", e.Recipient));
        if (_replyTo is not null) message.ReplyTo.Add(PdfEmail.Copy(_replyTo));
        message.Date = date;
        message.Subject = Subject(e);
        message.MessageId = MessageIdValue(e.CreditNoteId);
        message.Headers.Add("X-Billing-Credit-Note-Id", e.CreditNoteId.ToString("D"));
        message.Body = PdfEmail.Body(TextBody(e), HtmlBody(e), e.Pdf, AttachmentName(e));
        return new OutgoingEmail(_from.Address, [e.Recipient], message);
    }

    public static string TextBody(CreditNoteEmail e) => new StringBuilder()
        .Append("Hello ").Append(e.AccountName).Append(",\r\n\r\n")
        .Append("we have issued credit note ").Append(e.CreditNoteNumber).Append(" for invoice ").Append(e.InvoiceNumber)
        .Append("; it is attached as a PDF.\r\n\r\n")
        .Append("Credit note number: ").Append(e.CreditNoteNumber).Append("\r\n")
        .Append("Invoice:            ").Append(e.InvoiceNumber).Append("\r\n")
        .Append("Reason:             ").Append(e.Reason.Replace('_', ' ')).Append("\r\n")
        .Append("Amount credited:    ").Append(MoneyText.Format(e.TotalMinor, e.Currency)).Append("\r\n")
        .Append("\r\nThank you for your business.\r\n").ToString();

    public static string HtmlBody(CreditNoteEmail e)
    {
        static string H(string s) => WebUtility.HtmlEncode(s);
        return new StringBuilder()
            .Append("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">")
            .Append("<p>Hello ").Append(H(e.AccountName)).Append(",</p>")
            .Append("<p>we have issued credit note <strong>").Append(H(e.CreditNoteNumber)).Append("</strong> for invoice ")
            .Append(H(e.InvoiceNumber)).Append("; it is attached as a PDF.</p><table>")
            .Append("<tr><th align=\"left\">Reason</th><td>").Append(H(e.Reason.Replace('_', ' '))).Append("</td></tr>")
            .Append("<tr><th align=\"left\">Amount credited</th><td>").Append(H(MoneyText.Format(e.TotalMinor, e.Currency))).Append("</td></tr>")
            .Append("</table><p>Thank you for your business.</p></body></html>").ToString();
    }
}
