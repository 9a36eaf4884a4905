using System.Text.Json;
using System.Text.Json.Serialization;

namespace Billing.Ledger;

/// <summary>JSON settings shared by exports, connectors and the reconcile endpoint: snake_case like the public API.</summary>
public static class LedgerJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
