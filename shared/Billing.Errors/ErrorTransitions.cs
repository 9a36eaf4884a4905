namespace Billing.Errors;

/// <summary>The runbook's state machine: open → needs_attention → in_progress → resolved, and open → resolved
/// for errors fixed at once. Steps are not skipped or undone so the history an operator reads stays honest;
/// a regression reopens through a new occurrence (see <see cref="IErrorStore"/>), not by hand.</summary>
public static class ErrorTransitions
{
    private static readonly Dictionary<ErrorStatus, ErrorStatus[]> Allowed = new()
    {
        [ErrorStatus.Open] = [ErrorStatus.NeedsAttention, ErrorStatus.Resolved],
        [ErrorStatus.NeedsAttention] = [ErrorStatus.InProgress],
        [ErrorStatus.InProgress] = [ErrorStatus.Resolved],
        [ErrorStatus.Resolved] = [],
    };

    public static IReadOnlyList<ErrorStatus> AllowedFrom(ErrorStatus from) => Allowed[from];

    public static bool IsAllowed(ErrorStatus from, ErrorStatus to) => Allowed[from].Contains(to);

    /// <summary>Null when the move is allowed; otherwise a message naming the allowed targets.</summary>
    public static string? Validate(ErrorStatus from, ErrorStatus to)
    {
        if (IsAllowed(from, to)) return null;
        var allowed = Allowed[from];
        var names = allowed.Length == 0 ? "none" : string.Join(", ", allowed.Select(s => s.ToName()));
        return $"cannot move from {from.ToName()} to {to.ToName()}; allowed: {names}";
    }

    /// <summary>The same check on wire names, as they arrive from the API or the CLI.</summary>
    public static string? Validate(string from, string to)
    {
        if (!ErrorStatuses.TryParse(from, out var f)) return ErrorStatuses.UnknownMessage(from);
        if (!ErrorStatuses.TryParse(to, out var t)) return ErrorStatuses.UnknownMessage(to);
        return Validate(f, t);
    }
}
