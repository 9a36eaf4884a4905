using System.ComponentModel.DataAnnotations;
using System.Net.Mail;

namespace Billing.Mail;

/// <summary>What invoice emails look like from the outside (environment variables <c>Mail__*</c>).</summary>
public sealed class MailOptions
{
    public const string Section = "Mail";

    [Required(ErrorMessage = "is required (e.g. \"Example Billing <billing@example.com>\")")]
    public string From { get; set; } = "Billing <billing@billing.example>";

    public string? ReplyTo { get; set; }

    /// <summary>When set, emails link to <c>{PublicPdfBaseUrl}/{invoice_id}.pdf</c> besides attaching the PDF.</summary>
    public string? PublicPdfBaseUrl { get; set; }

    public static string? Check(MailOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.From)) return null; // [Required] says so
        if (!MailAddress.TryCreate(o.From, out var from) || !EmailAddresses.IsValid(from.Address))
            return $"Mail__From '{o.From}' is not an email address";
        if (!string.IsNullOrWhiteSpace(o.ReplyTo) && (!MailAddress.TryCreate(o.ReplyTo, out var reply) || !EmailAddresses.IsValid(reply.Address)))
            return $"Mail__ReplyTo '{o.ReplyTo}' is not an email address";
        if (!string.IsNullOrWhiteSpace(o.PublicPdfBaseUrl)
            && (!Uri.TryCreate(o.PublicPdfBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            return $"Mail__PublicPdfBaseUrl '{o.PublicPdfBaseUrl}' is not an absolute http(s) URL";
        return null;
    }
}
