namespace Billing.Errors;

/// <summary>How the outbox is drained (configuration section "Chat").</summary>
public sealed class DispatchOptions
{
    public int BatchSize { get; set; } = 20;

    /// <summary>Wait after the first failure; doubles with every further failure of the same message.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between attempts: a message is retried at least this often, never given up.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(15);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (BatchSize < 1) errors.Add($"Chat__BatchSize must be at least 1, got {BatchSize}");
        if (InitialBackoff <= TimeSpan.Zero) errors.Add($"Chat__InitialBackoff must be positive, got {InitialBackoff}");
        if (MaxBackoff < InitialBackoff) errors.Add($"Chat__MaxBackoff must be at least Chat__InitialBackoff, got {MaxBackoff}");
        return errors;
    }

    /// <summary>The wait after a message has failed <paramref name="failures"/> times (1 = first failure).</summary>
    public TimeSpan BackoffAfter(int failures)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(failures);
        // Doubling past ~30 steps overflows long before it matters; the cap is reached well before that.
        var exponent = Math.Min(failures - 1, 30);
        var wait = InitialBackoff.TotalMilliseconds * Math.Pow(2, exponent);
        return wait >= MaxBackoff.TotalMilliseconds ? MaxBackoff : TimeSpan.FromMilliseconds(wait);
    }
}
