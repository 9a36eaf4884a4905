namespace Billing.Errors;

/// <summary>Errors known to be harmless or already tracked elsewhere: they are still stored and counted
/// (a change in their rate is worth seeing in the summaries) but never raise a chat alert.</summary>
public sealed class NoiseOptions
{
    /// <summary>Error types that never alert, e.g. "OperationCanceledException".</summary>
    public List<string> ErrorTypes { get; set; } = [];

    /// <summary>Codes that never alert, whatever their type.</summary>
    public List<string> Codes { get; set; } = [];

    /// <summary>"ErrorType:Code" pairs, for a code that is only noise coming from one error type.</summary>
    public List<string> Pairs { get; set; } = [];
}

public sealed class NoisePolicy
{
    private readonly HashSet<string> _types;
    private readonly HashSet<string> _codes;
    private readonly HashSet<string> _pairs;

    public NoisePolicy(NoiseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Exact, case-sensitive matches: exception type names and codes are identifiers, and a loose match
        // could silence a real revenue error.
        _types = Clean(options.ErrorTypes);
        _codes = Clean(options.Codes);
        _pairs = Clean(options.Pairs);
    }

    public static NoisePolicy None { get; } = new(new NoiseOptions());

    public bool IsNoise(ErrorReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return IsNoise(report.ErrorType, report.Code);
    }

    public bool IsNoise(string errorType, string code) =>
        _types.Contains(errorType) || (code.Length > 0 && _codes.Contains(code)) || _pairs.Contains(errorType + ":" + code);

    private static HashSet<string> Clean(IEnumerable<string>? values) =>
        (values ?? []).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).ToHashSet(StringComparer.Ordinal);
}
