using System.Text.Json;
using System.Text.Json.Serialization;

namespace Billing.Ledger;

/// <summary>JSON settings shared by exports, connectors and the reconcile endpoint: snake_case like the public API.</summary>
public static class LedgerJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    // Read-only so no caller can change the wire format for everyone else.
    static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
