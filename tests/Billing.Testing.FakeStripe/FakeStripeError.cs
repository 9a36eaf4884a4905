using System.Text.Json.Nodes;

namespace Billing.Testing.FakeStripe;

/// <summary>An error answered in Stripe's shape: {"error":{"type","code","message","param"}}.</summary>
internal sealed record FakeStripeError(int Status, string Type, string Message, string? Code = null, string? Param = null)
{
    public string ToJson()
    {
        var error = new JsonObject { ["type"] = Type, ["message"] = Message };
        if (Code is not null) error["code"] = Code;
        if (Param is not null) error["param"] = Param;
        return new JsonObject { ["error"] = error }.ToJsonString();
    }

    public static FakeStripeError Missing(string param) =>
        new(400, "invalid_request_error", $"Missing required param: {param}.", "parameter_missing", param);

    public static FakeStripeError Invalid(string param, string message) =>
        new(400, "invalid_request_error", message, "parameter_invalid", param);

    public static FakeStripeError NoSuch(string kind, string id, string param) =>
        new(404, "invalid_request_error", $"No such {kind}: '{id}'", "resource_missing", param);

    public static FakeStripeError Injected(int status) => status switch
    {
        429 => new(429, "invalid_request_error",
            "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.", "rate_limit"),
        409 => new(409, "invalid_request_error",
            "This object cannot be accessed right now because another API request or Stripe process is currently accessing it.",
            "lock_timeout"),
        >= 500 => new(status, "api_error", "Something went wrong on Stripe's end."),
        402 => new(402, "card_error", "Your card was declined.", "card_declined"),
        _ => new(status, "invalid_request_error", $"Injected failure with status {status}."),
    };
}
