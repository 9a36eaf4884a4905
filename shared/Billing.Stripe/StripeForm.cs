using System.Globalization;
using System.Text;

namespace Billing.Stripe;

/// <summary>Builds the application/x-www-form-urlencoded body Stripe expects, nested keys in brackets.</summary>
internal sealed class StripeForm
{
    private readonly List<KeyValuePair<string, string>> _fields = [];

    public IReadOnlyList<KeyValuePair<string, string>> Fields => _fields;

    public StripeForm Add(string key, string? value)
    {
        if (value is not null) _fields.Add(new(key, value));
        return this;
    }

    public StripeForm Add(string key, long value) => Add(key, value.ToString(CultureInfo.InvariantCulture));

    public StripeForm Add(string key, bool value) => Add(key, value ? "true" : "false");

    public StripeForm AddMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null) return this;
        // Sorted so the same dictionary always yields the same body: Stripe compares the parameters of a
        // replayed idempotent request, and a different order must not look like different parameters.
        foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            Add($"metadata[{key}]", value);
        return this;
    }

    public string Encode()
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in _fields)
        {
            if (sb.Length > 0) sb.Append('&');
            // Stripe's own libraries leave the brackets of nested keys readable; values are fully escaped.
            sb.Append(Uri.EscapeDataString(key).Replace("%5B", "[").Replace("%5D", "]"));
            sb.Append('=').Append(Uri.EscapeDataString(value));
        }
        return sb.ToString();
    }
}
