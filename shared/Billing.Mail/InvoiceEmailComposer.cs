using System.Globalization;
using System.Net;
using System.Text;
using Billing.Invoicing;
using MimeKit;

namespace Billing.Mail;

/// <summary>Turns an <see cref="InvoiceEmail"/> into a MIME message: text and HTML bodies, the PDF attached.</summary>
public sealed class InvoiceEmailComposer(MailOptions options)
{
    private readonly MailboxAddress _from = MailboxAddress.Parse(options.From);
    private readonly MailboxAddress? _replyTo = string.IsNullOrWhiteSpace(options.ReplyTo) ? null : MailboxAddress.Parse(options.ReplyTo);
    private readonly string? _pdfBaseUrl = string.IsNullOrWhiteSpace(options.PublicPdfBaseUrl) ? null : options.PublicPdfBaseUrl.TrimEnd('/');

    /// <summary>
    /// Stable per delivery: every attempt of the same delivery carries the same id, so the rare duplicate left by a
    /// crash between SMTP acceptance and the database update is recognisable (and collapsed by most mail clients).
    /// The From address's domain is the right-hand side.
    /// </summary>
    public string MessageId(Guid invoiceId, int deliveryNo) => $"<{MessageIdValue(invoiceId, deliveryNo)}>";

    private string MessageIdValue(Guid invoiceId, int deliveryNo) => $"invoice-{invoiceId:D}-{deliveryNo}@{_from.Domain}";

    public string PdfLink(Guid invoiceId) => _pdfBaseUrl is null ? "" : $"{_pdfBaseUrl}/{invoiceId:D}.pdf";

    public static string Subject(InvoiceEmail e) => $"Invoice {e.InvoiceNumber} for {e.Period}";

    public static string AttachmentName(InvoiceEmail e) =>
        "invoice-" + new string(e.InvoiceNumber.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()) + ".pdf";

    /// <summary>
    /// The message as sent: multipart/mixed holding multipart/alternative (text, HTML; quoted-printable UTF-8) and the
    /// PDF (base64).
    /// </summary>
    public OutgoingEmail Compose(InvoiceEmail e, DateTimeOffset date)
    {
        var message = PdfEmail.NewMessage();
        message.From.Add(PdfEmail.Copy(_from));
        message.To.Add(new MailboxAddress("", e.Recipient));
        if (_replyTo is not null) message.ReplyTo.Add(PdfEmail.Copy(_replyTo));
        message.Date = date;
        message.Subject = Subject(e);
        message.MessageId = MessageIdValue(e.InvoiceId, e.DeliveryNo);
        message.Headers.Add("X-Billing-Invoice-Id", e.InvoiceId.ToString("D"));

        message.Body = PdfEmail.Body(TextBody(e), HtmlBody(e), e.Pdf, AttachmentName(e));
        return new OutgoingEmail(_from.Address, [e.Recipient], message);
    }

    public static string Total(InvoiceEmail e) => MoneyText.Format(e.TotalMinor, e.Currency);

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
