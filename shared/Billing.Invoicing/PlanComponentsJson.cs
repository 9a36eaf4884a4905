using System.Text.Json;

namespace Billing.Invoicing;

/// <summary>(De)serializes <c>plans.components</c>: a JSON array of <see cref="MeteredComponent"/>.</summary>
public static class PlanComponentsJson
{
    private const string Root = "components";

    // Property names, converters and unknown-member handling are attributes on the types themselves,
    // so an API deserializing a whole plan with its own options reads the same shape.
    private static readonly JsonSerializerOptions Options = new() { MaxDepth = 16 };

    /// <summary>Parses and validates; the result is safe to price.</summary>
    /// <exception cref="DomainValidationException">naming the field, e.g. <c>components[1].tiers[2].up_to</c>.</exception>
    public static IReadOnlyList<MeteredComponent> Parse(string json)
    {
        MeteredComponent[]? components;
        try
        {
            components = JsonSerializer.Deserialize<MeteredComponent[]>(json, Options);
        }
        catch (JsonException e)
        {
            throw new DomainValidationException(FieldOf(e.Path), FirstSentence(e.Message));
        }
        if (components is null) throw new DomainValidationException(Root, "must be a JSON array, not null");
        var errors = Validate(components);
        if (errors.Count > 0) throw new DomainValidationException(errors);
        return components;
    }

    public static string Serialize(IReadOnlyList<MeteredComponent> components) =>
        JsonSerializer.Serialize(components, Options);

    /// <summary>Every component's problems plus duplicate metrics (a usage quantity must price once).</summary>
    public static IReadOnlyList<ValidationError> Validate(IReadOnlyList<MeteredComponent>? components)
    {
        var errors = new ValidationErrors();
        if (components is null)
        {
            errors.Add(Root, "is required (use [] for none)");
            return errors;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < components.Count; i++)
        {
            var path = $"{Root}[{i}]";
            if (components[i] is not { } component)
            {
                errors.Add(path, "must be an object");
                continue;
            }
            errors.AddRange(PricingModel.Validate(component, path));
            if (!string.IsNullOrWhiteSpace(component.Metric) && !seen.Add(component.Metric))
                errors.Add($"{path}.metric", $"metric '{component.Metric}' is priced by an earlier component");
        }
        return errors;
    }

    // System.Text.Json reports "$[1].tiers[2].up_to"; callers know the array as "components".
    private static string FieldOf(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? Root : Root + jsonPath.TrimStart('$');

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }
}
