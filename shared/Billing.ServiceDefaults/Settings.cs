using Microsoft.Extensions.Options;

namespace Billing.ServiceDefaults;

/// <summary>Turns options validation failures into the environment variable a person has to fix.</summary>
public static class Settings
{
    public static string EnvName(string section, string member) => $"{section}__{member}";

    public static string Describe(OptionsValidationException ex)
    {
        var section = SectionOf(ex.OptionsType);
        var first = ex.Failures.FirstOrDefault() ?? ex.Message;
        // DataAnnotations failures read "DataAnnotation validation failed for 'X' members: 'Url' with the error: '...'."
        const string marker = "members: '";
        var at = first.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            var rest = first[(at + marker.Length)..];
            var member = rest[..rest.IndexOf('\'')];
            var errorAt = rest.IndexOf("with the error: '", StringComparison.Ordinal);
            var error = errorAt >= 0 ? rest[(errorAt + 17)..].TrimEnd('.', '\'') : rest;
            return $"setting {EnvName(section, member)} {Normalise(error, member)}";
        }
        // Custom Validate(...) failures name the setting themselves when they start with a member name or an
        // environment variable's name (BILLING_TRACE_UI_URL ...).
        return first.Contains("__", StringComparison.Ordinal) || System.Text.RegularExpressions.Regex.IsMatch(first, @"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\b")
            ? $"setting {first}"
            : $"setting {section}: {first}";
    }

    /// <summary>"Failed to convert configuration value 'abc' at 'RabbitMq:Prefetch' to type 'System.Int32'."</summary>
    public static bool TryDescribeBindingFailure(InvalidOperationException ex, out string line)
    {
        var match = System.Text.RegularExpressions.Regex.Match(ex.Message,
            @"^Failed to convert configuration value '(.*)' at '([^']+)' to type '(?:System\.)?([^']+)'");
        line = match.Success
            ? $"setting {match.Groups[2].Value.Replace(":", "__", StringComparison.Ordinal)} has value '{match.Groups[1].Value}', which is not a valid {match.Groups[3].Value}"
            : "";
        return match.Success;
    }

    private static string Normalise(string error, string member) =>
        error.StartsWith("The ", StringComparison.Ordinal) ? $"is invalid: {error}" : error;

    private static string SectionOf(Type optionsType)
    {
        var field = optionsType.GetField("Section");
        return field?.GetValue(null) as string ?? optionsType.Name.Replace("Options", "", StringComparison.Ordinal);
    }
}
