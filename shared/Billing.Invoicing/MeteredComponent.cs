using System.Text.Json.Serialization;
using Billing.Invoicing.Json;

namespace Billing.Invoicing;

/// <summary>
/// One metered element of a plan, an element of <c>plans.components</c>. Flat snake_case JSON with
/// <c>model</c> choosing which price fields apply:
/// <code>
/// {"metric":"api_calls","description":"API calls","model":"graduated",
///  "tiers":[{"up_to":1000,"unit_price":"0.10"},{"up_to":10000,"unit_price":"0.08","flat_fee":"5.00"},{"up_to":null,"unit_price":"0.05"}]}
/// {"metric":"storage_gb","model":"per_unit","unit_price":"0.023"}
/// {"metric":"sms","model":"package","package_size":100,"package_price":"2.50"}
/// </code>
/// A field the model does not use is a validation error rather than silently ignored.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MeteredComponent
{
    /// <summary>The usage metric it prices, as recorded in <c>usage_records.metric</c>.</summary>
    [JsonPropertyName("metric")]
    public string? Metric { get; init; }

    /// <summary>Shown on the invoice line; the metric when absent.</summary>
    [JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Description { get; init; }

    /// <summary>One of <see cref="PricingModel.Names"/>.</summary>
    [JsonPropertyName("model")]
    public string? Model { get; init; }

    [JsonPropertyName("unit_price"), JsonConverter(typeof(FlexibleDecimalConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? UnitPrice { get; init; }

    [JsonPropertyName("tiers"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<PriceTier>? Tiers { get; init; }

    [JsonPropertyName("package_size"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? PackageSize { get; init; }

    [JsonPropertyName("package_price"), JsonConverter(typeof(FlexibleDecimalConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? PackagePrice { get; init; }

    internal string Label => string.IsNullOrWhiteSpace(Description) ? Metric ?? "" : Description;
}
