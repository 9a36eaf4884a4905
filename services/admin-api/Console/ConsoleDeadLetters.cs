using System.Collections.Concurrent;
using Billing.AdminApi.Endpoints;
using Billing.Redrive;
using Billing.Invoicing.Infrastructure;

namespace Billing.AdminApi.OperatorConsole;

/// <summary>Messages waiting in dead-letter queues (archives left out), or why the broker could not be read.</summary>
public sealed record DeadLetterTotal(long? Waiting, string? Error);

/// <summary>
/// Dead letters for pages that refresh every few seconds: read from the broker at most every
/// <see cref="Fresh"/> whatever the number of open pages, since reading a queue holds its messages for a moment.
/// A run's own dead letters are only looked for when some queue holds any.
/// </summary>
public sealed class ConsoleDeadLetters(DeadLetterQueues queues, RunDeadLetterQuery query, ILoggerFactory logs, TimeProvider clock)
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(15);
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly ConcurrentDictionary<Guid, Cached<(RunDeadLetters? Letters, string? Error)>> runs = new();
    private Cached<DeadLetterTotal>? total;

    private sealed record Cached<T>(DateTimeOffset At, T Value);

    private bool IsFresh<T>(Cached<T>? cached) => cached is not null && clock.GetUtcNow() - cached.At < Fresh;

    public async Task<DeadLetterTotal> TotalAsync(CancellationToken ct)
    {
        if (total is { } known && IsFresh(known)) return known.Value;
        await gate.WaitAsync(ct);
        try
        {
            if (total is { } again && IsFresh(again)) return again.Value;
            DeadLetterTotal value;
            try
            {
                var list = await queues.ListAsync(ct);
                value = new DeadLetterTotal(list.Where(q => q.Kind != DeadLetterKind.Archive).Sum(q => q.Messages), null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logs.CreateLogger("Billing.AdminApi.Console").LogWarning(e, "Dead-letter queues could not be read");
                value = new DeadLetterTotal(null, $"dead-letter queues could not be read: {e.Message}");
            }
            total = new Cached<DeadLetterTotal>(clock.GetUtcNow(), value);
            return value;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The run's dead letters as <c>GET /api/runs/{id}</c> reads them, at most <see cref="Fresh"/> old.</summary>
    public async Task<(RunDeadLetters? Letters, string? Error)> ForRunAsync(RunRow run, CancellationToken ct)
    {
        if ((await TotalAsync(ct)).Waiting == 0) return (RunDeadLetters.None, null);
        if (runs.TryGetValue(run.Id, out var cached) && IsFresh(cached)) return cached.Value;
        var read = await RunOperations.DeadLettersAsync(run, query, logs, ct);
        foreach (var (id, old) in runs)
            if (!IsFresh(old)) runs.TryRemove(id, out _);
        runs[run.Id] = new Cached<(RunDeadLetters?, string?)>(clock.GetUtcNow(), read);
        return read;
    }
}
