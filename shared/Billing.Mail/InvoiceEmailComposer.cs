using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Text;
using Billing.Invoicing;

namespace Billing.Mail;

/// <summary>Turns an <see cref="InvoiceEmail"/> into a MIME message: text and HTML bodies, the PDF attached.</summary>
public sealed class InvoiceEmailComposer(MailOptions options)
{
    private readonly MailAddress _from = new(options.From);
    private readonly MailAddress? _replyTo = string.IsNullOrWhiteSpace(options.ReplyTo) ? null : new MailAddress(options.ReplyTo);
    // The From address's domain is the right-hand side of every Message-ID we make.
    private readonly string _domain = new MailAddress(options.From).Host;
    private readonly string? _pdfBaseUrl = string.IsNullOrWhiteSpace(options.PublicPdfBaseUrl) ? null : options.PublicPdfBaseUrl.TrimEnd('/');

    /// <summary>
    /// Stable per delivery: every attempt of the same delivery carries the same id, so the rare duplicate left by a
    /// crash between SMTP acceptance and the database update is recognisable (and collapsed by most mail clients).
    /// </summary>
    public string MessageId(Guid invoiceId, int deliveryNo) => $"<invoice-{invoiceId:D}-{deliveryNo}@{_domain}>";

    public string PdfLink(Guid invoiceId) => _pdfBaseUrl is null ? "" : $"{_pdfBaseUrl}/{invoiceId:D}.pdf";

    public static string Subject(InvoiceEmail e) => $"Invoice {e.InvoiceNumber} for {e.Period}";

    public static string AttachmentName(InvoiceEmail e) =>
        "invoice-" + new string(e.InvoiceNumber.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()) + ".pdf";

    /// <summary>
    /// The message as sent: multipart/mixed holding multipart/alternative (text, HTML; quoted-printable UTF-8) and the
    /// PDF (base64). Written directly as bytes, in one buffer, rather than through <see cref="MailMessage"/>: the
    /// structure is fixed and this is on every email's path.
    /// </summary>
    public OutgoingEmail Compose(InvoiceEmail e, DateTimeOffset date)
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
        w.Header("Message-ID", MessageId(e.InvoiceId, e.DeliveryNo));
        w.Header("X-Billing-Invoice-Id", e.InvoiceId.ToString("D"));
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

    public static string Total(InvoiceEmail e) => Currencies.Format(e.TotalMinor, e.Currency);

    public static string Due(InvoiceEmail e) => e.DueDate.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    public string TextBody(InvoiceEmail e)
    {
        var sb = new StringBuilder();
        sb.Append("Hello ").Append(e.AccountName).Append(",\r\n\r\n");
        sb.Append("your invoice ").Append(e.InvoiceNumber).Append(" for ").Append(e.Period).Append(" is attached as a PDF.\r\n\r\n");
        sb.Append("Invoice number: ").Append(e.InvoiceNumber).Append("\r\n");
        sb.Append("Period:         ").Append(e.Period).Append("\r\n");
        sb.Append("Total:          ").Append(Total(e)).Append("\r\n");
        sb.Append("Due date:       ").Append(Due(e)).Append("\r\n");
        if (_pdfBaseUrl is not null) sb.Append("\r\nView or download it at ").Append(PdfLink(e.InvoiceId)).Append("\r\n");
        sb.Append("\r\nThank you for your business.\r\n");
        return sb.ToString();
    }

    public string HtmlBody(InvoiceEmail e)
    {
        static string H(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
        sb.Append("<p>Hello ").Append(H(e.AccountName)).Append(",</p>");
        sb.Append("<p>your invoice <strong>").Append(H(e.InvoiceNumber)).Append("</strong> for ").Append(H(e.Period))
            .Append(" is attached as a PDF.</p>");
        sb.Append("<table>");
        Row(sb, "Invoice number", e.InvoiceNumber);
        Row(sb, "Period", e.Period);
        Row(sb, "Total", Total(e));
        Row(sb, "Due date", Due(e));
        sb.Append("</table>");
        if (_pdfBaseUrl is not null)
            sb.Append("<p><a href=\"").Append(H(PdfLink(e.InvoiceId))).Append("\">View or download the invoice</a></p>");
        sb.Append("<p>Thank you for your business.</p></body></html>");
        return sb.ToString();

        static void Row(StringBuilder sb, string label, string value) =>
            sb.Append("<tr><th align=\"left\">").Append(H(label)).Append("</th><td>").Append(H(value)).Append("</td></tr>");
    }
}
