using System.Security.Cryptography;
using System.Text;

namespace Billing.Errors;

/// <summary>Identity of an error for de-duplication: the same failure of the same invoice counts as one
/// error with many occurrences, so a redelivery storm raises one alert, not thousands.</summary>
public static class Fingerprint
{
    /// <summary>Hex SHA-256 (first 16 bytes) of error type, code and business key. The message is left out
    /// on purpose: it often carries ids, timestamps or amounts and would split one cause into many.</summary>
    public static string For(ErrorReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (string.IsNullOrWhiteSpace(report.ErrorType))
            throw new ArgumentException("error_type is required to fingerprint an error", nameof(report));

        // A version prefix lets the scheme change later without colliding with stored fingerprints.
        var text = string.Join('\n', "v1", report.ErrorType.Trim(), (report.Code ?? "").Trim(), BusinessKeyOf(report));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    /// <summary>The key an error is about: the explicit business key, else the invoice, else the account,
    /// else nothing (an error about no particular entity, e.g. a broken configuration).</summary>
    public static string BusinessKeyOf(ErrorReport report)
    {
        if (!string.IsNullOrWhiteSpace(report.BusinessKey)) return "key:" + report.BusinessKey.Trim();
        if (report.InvoiceId is { } invoice) return "invoice:" + invoice.ToString("D");
        if (report.AccountId is { } account) return "account:" + account.ToString("D");
        return "";
    }
}
