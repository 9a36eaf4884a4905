using System.Security.Cryptography;
using System.Text;

namespace Billing.Errors;

/// <summary>Identity of an error group: one cause, however many messages, invoices or runs it hits. A dead-letter
/// storm of 219 messages is one group with a count of 219 and 219 invoices listed under it.</summary>
public static class Fingerprint
{
    /// <summary>Hex SHA-256 (first 16 bytes) of service, message type, exception type and the normalised message
    /// (<see cref="ErrorMessages.Normalise"/>). For an error a service reported itself (no message type) its code
    /// stands for the message type: it says what the service was doing. Which invoice, account, run or business key
    /// the error is about is left out on purpose: those are listed under the group.</summary>
    public static string For(ErrorReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (string.IsNullOrWhiteSpace(report.ErrorType))
            throw new ArgumentException("error_type is required to fingerprint an error", nameof(report));

        // The version prefix keeps these apart from the v1 fingerprints (type + code + business key) stored before.
        var text = string.Join('\n', "v2", (report.Service ?? "").Trim(), MessageTypeOf(report), report.ErrorType.Trim(),
            ErrorMessages.Normalise(report.Message));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    /// <summary>The message type of a fault, or "code:&lt;code&gt;" for a reported error.</summary>
    public static string MessageTypeOf(ErrorReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return !string.IsNullOrWhiteSpace(report.MessageType) ? report.MessageType.Trim() : "code:" + (report.Code ?? "").Trim();
    }
}
