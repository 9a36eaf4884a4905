using System.Diagnostics;

namespace Billing.Redrive;

/// <summary>
/// Keeps an average rate by schedule rather than by sleeping a fixed time per batch: message n is due at start + n/rate,
/// so a slow batch is made up by the next one instead of lowering the rate.
/// </summary>
internal sealed class Pacer(double? rate)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Batch size for a throttled run: about ten batches a second, smooth yet large enough to keep up with the rate.</summary>
    public int BatchSize(int configured) =>
        rate is { } r ? Math.Clamp((int)Math.Ceiling(r / 10), 1, configured) : configured;

    public Task WaitAsync(long sentSoFar, CancellationToken ct)
    {
        if (rate is not { } r) return Task.CompletedTask;
        var due = TimeSpan.FromSeconds(sentSoFar / r) - _clock.Elapsed;
        return due > TimeSpan.Zero ? Task.Delay(due, ct) : Task.CompletedTask;
    }

    public TimeSpan Elapsed => _clock.Elapsed;
}
