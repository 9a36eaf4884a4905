using System.Net;
using System.Text.Json;

namespace Billing.Stripe;

/// <summary>A non-2xx answer from Stripe, with Stripe's own error fields.</summary>
public sealed class StripeException : Exception
{
    public StripeException(HttpStatusCode statusCode, string? type, string? code, string? stripeMessage,
        string? param, string? requestId, string? declineCode = null)
        : base(Describe(statusCode, type, code, stripeMessage, param, requestId))
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
