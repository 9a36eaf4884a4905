using System.Text.Json;

namespace Billing.Errors;

/// <summary>One failure as a service reports it. Reports of the same cause (service, message type, exception type
/// and message once ids, numbers and times are taken out) collapse into one error group (see <see cref="Fingerprint"/>);
/// the invoices, accounts, runs and business keys they name are listed under the group.</summary>
/// <param name="BusinessKey">What the error is about when it is neither an invoice nor an account,
/// e.g. "refund:re_123"; listed under the group like the ids.</param>
/// <param name="MessageType">The message contract whose consume failed (e.g. "RenderInvoicePdf"); null for an error a
/// service reported itself, whose code then says what it was doing.</param>
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
    JsonElement? Payload = null,
    string? MessageType = null)
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
