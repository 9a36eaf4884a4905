namespace Billing.Errors;

/// <summary>Where an error is in its handling. Stored and sent as the snake_case names in <see cref="ErrorStatuses"/>.</summary>
public enum ErrorStatus
{
    Open,
    NeedsAttention,
    InProgress,
    Resolved,
}

/// <summary>Wire names of <see cref="ErrorStatus"/>: exact lower-case, so one spelling reaches the database.</summary>
public static class ErrorStatuses
{
    private static readonly (ErrorStatus Status, string Name)[] Names =
    [
        (ErrorStatus.Open, "open"),
        (ErrorStatus.NeedsAttention, "needs_attention"),
        (ErrorStatus.InProgress, "in_progress"),
        (ErrorStatus.Resolved, "resolved"),
    ];

    public static IReadOnlyList<string> Known { get; } = Names.Select(n => n.Name).ToArray();

    public static string ToName(this ErrorStatus status) =>
        Names.FirstOrDefault(n => n.Status == status).Name
        ?? throw new ArgumentOutOfRangeException(nameof(status), status, "unknown status");

    public static bool TryParse(string? name, out ErrorStatus status)
    {
        foreach (var n in Names)
        {
            if (n.Name == name) { status = n.Status; return true; }
        }
        status = default;
        return false;
    }

    public static string UnknownMessage(string? name) =>
        $"unknown status '{name}'; known: {string.Join(", ", Known)}";
}
