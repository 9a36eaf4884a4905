using System.Text.Json.Serialization;
using Billing.Invoicing.Json;

namespace Billing.Invoicing;

/// <summary>
/// One tier of a graduated or volume price, JSON <c>{"up_to": 1000, "unit_price": "0.10", "flat_fee": "5.00"}</c>.
/// <see cref="UpTo"/> is inclusive; null (or "inf") marks the open last tier. Prices are major units of the
/// plan currency with at most 12 decimals; an absent price counts as zero, but a tier needs at least one.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PriceTier
{
    [JsonPropertyName("up_to"), JsonConverter(typeof(UpToConverter))]
    public decimal? UpTo { get; init; }

    [JsonPropertyName("unit_price"), JsonConverter(typeof(FlexibleDecimalConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? UnitPrice { get; init; }

    [JsonPropertyName("flat_fee"), JsonConverter(typeof(FlexibleDecimalConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? FlatFee { get; init; }
}
