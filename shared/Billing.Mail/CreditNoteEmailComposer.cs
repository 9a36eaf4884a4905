using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Text;
using Billing.Invoicing.CreditNotes;

namespace Billing.Mail;

/// <summary>A credit note as a MIME message: text and HTML bodies, its PDF attached; the same structure as an invoice email.</summary>
public sealed class CreditNoteEmailComposer(MailOptions options)
{
    private readonly MailAddress _from = new(options.From);
    private readonly MailAddress? _replyTo = string.IsNullOrWhiteSpace(options.ReplyTo) ? null : new MailAddress(options.ReplyTo);
    private readonly string _domain = new MailAddress(options.From).Host;

    /// <summary>One email per credit note: every attempt carries the same id, so a rare duplicate is recognisable.</summary>
    public string MessageId(Guid creditNoteId) => $"<credit-note-{creditNoteId:D}@{_domain}>";

    public static string Subject(CreditNoteEmail e) => $"Credit note {e.CreditNoteNumber} for invoice {e.InvoiceNumber}";

    public static string AttachmentName(CreditNoteEmail e) =>
        "credit-note-" + new string(e.CreditNoteNumber.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()) + ".pdf";

    public OutgoingEmail Compose(CreditNoteEmail e, DateTimeOffset date)
    {
        var mixed = "=_mixed_" + Guid.NewGuid().ToString("N");
        var alternative = "=_alt_" + Guid.NewGuid().ToString("N");
        var name = AttachmentName(e);
        var w = new MimeWriter(e.Pdf.Length * 4 / 3 + 8192);
        w.Header("From", MimeWriter.Mailbox(_from));
        w.Header("To", MimeWriter.Mailbox(new MailAddress(e.Recipient)));
        if (_replyTo is not null) w.Header("Reply-To", MimeWriter.Mailbox(_replyTo));
        w.Header("Date", date.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture) + date.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", ""));
        w.Header("Subject", MimeWriter.Text(Subject(e)));
        w.Header("Message-ID", MessageId(e.CreditNoteId));
        w.Header("X-Billing-Credit-Note-Id", e.CreditNoteId.ToString("D"));
        w.Header("MIME-Version", "1.0");
        w.Header("Content-Type", $"multipart/mixed; boundary=\"{mixed}\"");
        w.Line();
        w.Boundary(mixed);
        w.Header("Content-Type", $"multipart/alternative; boundary=\"{alternative}\"");
        w.Line();
        w.Boundary(alternative);
        w.Header("Content-Type", "text/plain; charset=utf-8");
        w.Header("Content-Transfer-Encoding", "quoted-printable");
        w.Line();
        w.QuotedPrintable(TextBody(e));
        w.Boundary(alternative);
        w.Header("Content-Type", "text/html; charset=utf-8");
        w.Header("Content-Transfer-Encoding", "quoted-printable");
        w.Line();
        w.QuotedPrintable(HtmlBody(e));
        w.Boundary(alternative, last: true);
        w.Boundary(mixed);
        w.Header("Content-Type", $"application/pdf; name=\"{name}\"");
        w.Header("Content-Transfer-Encoding", "base64");
        w.Header("Content-Disposition", $"attachment; filename=\"{name}\"; size={e.Pdf.Length}");
        w.Line();
        w.Base64(e.Pdf);
        w.Boundary(mixed, last: true);
        return new OutgoingEmail(_from.Address, [e.Recipient], w.ToMemory());
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
