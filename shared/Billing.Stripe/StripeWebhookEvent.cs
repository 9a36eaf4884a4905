using System.Text.Json;
using Stripe;

namespace Billing.Stripe;

/// <summary>
/// A verified webhook body read into Stripe.net's <see cref="Event"/>, whose <c>Data.Object</c> is the typed object
/// (<see cref="Invoice"/>, <see cref="Charge"/>, <see cref="Refund"/>, <see cref="Dispute"/>, …). Only events of the API
/// version Stripe.net's types are made for are read: another version's objects could be read wrongly without a sound.
/// </summary>
public static class StripeWebhookEvent
{
    /// <summary>Parses a verified payload. Throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static Event Parse(string payload)
    {
        if (string.IsNullOrWhiteSpace(payload)) throw new FormatException("Stripe event payload is empty.");
        string id, apiVersion;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("Stripe event payload must be a JSON object.");
            id = RequiredString(root, "id");
            RequiredString(root, "type");
            if (!root.TryGetProperty("created", out var created) || created.ValueKind != JsonValueKind.Number
                || !created.TryGetInt64(out var unix) || unix < 0 || unix > 253_402_300_799)
                throw new FormatException("Stripe event has no valid unix timestamp 'created'.");
            if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
                || !data.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object)
                throw new FormatException("Stripe event has no 'data.object'.");
            apiVersion = RequiredString(root, "api_version");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Stripe event payload is not valid JSON: {ex.Message}", ex);
        }

        if (!apiVersion.Contains('.') || !EventUtility.IsCompatibleApiVersion(apiVersion))
            throw new FormatException(
                $"Stripe event {id} is of API version {apiVersion}; this endpoint reads {StripeOptions.ApiVersion} only (set the webhook endpoint's API version to it).");
        try
        {
            return EventUtility.ParseEvent(payload, throwOnApiVersionMismatch: true);
        }
        catch (Exception ex) when (ex is JsonException or global::Stripe.StripeException or InvalidOperationException)
        {
            throw new FormatException($"Stripe event {id} does not read as Stripe's event shape: {ex.Message}", ex);
        }
    }

    private static string RequiredString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s
            ? s
            : throw new FormatException($"Stripe event has no string '{name}'.");
}
