using System.Text.Json.Serialization;

namespace Billing.Invoicing;

/// <summary>
/// A row of <c>plans</c>. The base fee is <see cref="BaseFeeMinor"/>, integer minor units, as stored in
/// <c>plans.base_fee_minor</c>: a monthly fee is always a whole amount of money, so no rounding can happen.
/// </summary>
public sealed record PlanDefinition
{
    [JsonPropertyName("code")]
    public string Code { get; init; } = "";

    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    /// <summary>Upper-case ISO 4217, one of <see cref="Currencies"/>.</summary>
    [JsonPropertyName("currency")]
    public string Currency { get; init; } = "";

    [JsonPropertyName("base_fee_minor")]
    public long BaseFeeMinor { get; init; }

    [JsonPropertyName("components")]
    public IReadOnlyList<MeteredComponent> Components { get; init; } = [];

    /// <summary>Every problem, each naming its snake_case field (<c>currency</c>, <c>components[0].model</c>, …).</summary>
    public IReadOnlyList<ValidationError> Validate()
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(Code)) errors.Add("code", "is required");
        if (string.IsNullOrWhiteSpace(Name)) errors.Add("name", "is required");
        if (!Currencies.TryGet(Currency, out _)) errors.Add("currency", Currencies.UnknownMessage(Currency));
        if (BaseFeeMinor < 0) errors.Add("base_fee_minor", "must not be negative");
        errors.AddRange(PlanComponentsJson.Validate(Components));
        return errors;
    }

    /// <exception cref="DomainValidationException">listing every problem.</exception>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new DomainValidationException(errors);
    }
}
