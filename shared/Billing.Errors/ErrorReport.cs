using System.Text.Json;

namespace Billing.Errors;

/// <summary>One failure as a service reports it. Several reports with the same cause and business key
/// collapse into one error record (see <see cref="Fingerprint"/>).</summary>
/// <param name="BusinessKey">What the error is about when it is neither an invoice nor an account,
/// e.g. "refund:re_123"; it wins over the ids when given.</param>
public sealed record ErrorReport(
    string Service,
    string ErrorType,
    string Code,
    string Message,
    string? Backtrace = null,
    Guid? InvoiceId = null,
    Guid? AccountId = null,
    Guid? RunId = null,
    string? TraceId = null,
    string? BusinessKey = null,
    JsonElement? Payload = null)
{
    /// <summary>Problems that make the report unusable, keyed by field name; empty when it is fine.</summary>
    public IReadOnlyDictionary<string, string> Validate()
    {
        var errors = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(Service)) errors["service"] = "service is required";
        if (string.IsNullOrWhiteSpace(ErrorType)) errors["error_type"] = "error_type is required";
        if (Code is null) errors["code"] = "code is required (may be empty)";
        if (string.IsNullOrWhiteSpace(Message)) errors["message"] = "message is required";
        return errors;
    }
}
