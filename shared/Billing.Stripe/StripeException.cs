using System.Net;
using System.Text.Json;

namespace Billing.Stripe;

/// <summary>A non-2xx answer from Stripe, with Stripe's own error fields.</summary>
public sealed class StripeException : Exception
{
    public StripeException(HttpStatusCode statusCode, string? type, string? code, string? stripeMessage,
        string? param, string? requestId, string? declineCode = null, Exception? innerException = null)
        : base(Describe(statusCode, type, code, stripeMessage, param, requestId), innerException)
    {
        StatusCode = statusCode;
        Type = type;
        Code = code;
        StripeMessage = stripeMessage;
        Param = param;
        RequestId = requestId;
        DeclineCode = declineCode;
    }

    public HttpStatusCode StatusCode { get; }

    /// <summary>Stripe's error.type, e.g. invalid_request_error, card_error, api_error, idempotency_error.</summary>
    public string? Type { get; }

    public string? Code { get; }

    public string? StripeMessage { get; }

    public string? Param { get; }

    /// <summary>The Request-Id header: what Stripe support asks for.</summary>
    public string? RequestId { get; }

    public string? DeclineCode { get; }

    /// <summary>A 2xx answer this system cannot use: not JSON, or missing a field every object of its kind has.</summary>
    internal static StripeException InvalidResponse(HttpStatusCode status, string detail, string? requestId) =>
        new(status, "api_error", "invalid_response", $"Could not read Stripe's response: {detail}", null, requestId);

    /// <summary>Stripe.net's exception in our terms: the status, Stripe's error fields and the Request-Id.</summary>
    internal static StripeException From(global::Stripe.StripeException ex)
    {
        var response = ex.StripeResponse;
        var requestId = response?.RequestId;
        if (response is null)
            return new StripeException(ex.HttpStatusCode, null, null, ex.Message, null, requestId, null, ex);
        if ((int)response.StatusCode is >= 200 and < 300)
            return new StripeException(response.StatusCode, "api_error", "invalid_response", $"Could not read Stripe's response: {ex.Message}",
                null, requestId, null, ex);
        var read = FromResponse(response.StatusCode, response.Content ?? "", requestId);
        return new StripeException(read.StatusCode, read.Type, read.Code, read.StripeMessage, read.Param, requestId, read.DeclineCode, ex);
    }

    internal static StripeException FromResponse(HttpStatusCode status, string body, string? requestId)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object)
            {
                return new StripeException(status, Str(e, "type"), Str(e, "code"), Str(e, "message"),
                    Str(e, "param"), requestId, Str(e, "decline_code"));
            }
        }
        catch (JsonException)
        {
            // Not Stripe speaking (a proxy or load balancer page): fall through to a generic description.
        }

        var excerpt = body.Length > 200 ? body[..200] : body;
        return new StripeException(status, null, null, $"HTTP {(int)status} without a Stripe error body: {excerpt}", null, requestId);
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Describe(HttpStatusCode status, string? type, string? code, string? message, string? param, string? requestId)
    {
        var text = $"Stripe returned {(int)status} {type ?? "error"}";
        if (code is not null) text += $" (code {code})";
        text += $": {message ?? "no message"}";
        if (param is not null) text += $" [param {param}]";
        if (requestId is not null) text += $" [request {requestId}]";
        return text;
    }
}
