using System.Text.Json;

namespace Billing.Stripe;

/// <summary>The envelope of a Stripe webhook event; <see cref="Object"/> is data.object as sent.</summary>
public sealed record StripeEvent(string Id, string Type, DateTimeOffset Created, JsonElement Object, string? ApiVersion, bool Livemode)
{
    /// <summary>Parses a verified payload. Throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static StripeEvent Parse(string payload)
    {
        if (string.IsNullOrWhiteSpace(payload)) throw new FormatException("Stripe event payload is empty.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(payload);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Stripe event payload is not valid JSON: {ex.Message}", ex);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("Stripe event payload must be a JSON object.");
            var id = RequiredString(root, "id");
            var type = RequiredString(root, "type");
            if (!root.TryGetProperty("created", out var created) || created.ValueKind != JsonValueKind.Number
                || !created.TryGetInt64(out var unix)
                || unix < 0 || unix > 253_402_300_799)
                throw new FormatException("Stripe event has no valid unix timestamp 'created'.");
            if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
                || !data.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object)
                throw new FormatException("Stripe event has no 'data.object'.");
            var apiVersion = root.TryGetProperty("api_version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var livemode = root.TryGetProperty("livemode", out var l) && l.ValueKind == JsonValueKind.True;
            // Clone: the element must outlive the document disposed here.
            return new StripeEvent(id, type, DateTimeOffset.FromUnixTimeSeconds(unix), obj.Clone(), apiVersion, livemode);
        }
    }

    private static string RequiredString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s
            ? s
            : throw new FormatException($"Stripe event has no string '{name}'.");
}
