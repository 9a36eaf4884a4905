using System.Net.Mail;

namespace Billing.Mail;

/// <summary>Which recipient addresses an invoice may be sent to. Stricter than RFC 5322 on purpose: no display names, no quoting.</summary>
public static class EmailAddresses
{
    public const int MaxLength = 320;

    /// <summary>Trimmed and lower-cased: the form stored in the suppression list and compared against it.</summary>
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    public static bool IsValid(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > MaxLength) return false;
        var text = email.Trim();
        if (text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '"' or ',' or ';')) return false;
        if (!MailAddress.TryCreate(text, out var address) || address.Address != text) return false;
        var at = text.LastIndexOf('@');
        var local = text[..at];
        var domain = text[(at + 1)..];
        return local.Length is > 0 and <= 64
               && domain.Contains('.') && !domain.StartsWith('.') && !domain.EndsWith('.') && !domain.Contains("..")
               && domain.Split('.').All(label => label.Length is > 0 and <= 63 && !label.StartsWith('-') && !label.EndsWith('-')
                                                 && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
    }
}
