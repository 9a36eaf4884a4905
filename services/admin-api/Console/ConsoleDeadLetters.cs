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
    private readonly ConcurrentDictionary<(string Queue, string? Group, string? After), Cached<(long Count, IReadOnlyList<MessageGroup> Groups, DeadLetterPage Page)>> reads = new();

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

    /// <summary>
    /// A queue's groups and one page of its messages, read in one pass of the queue (all its messages, for the groups).
    /// The read is kept for <see cref="Fresh"/> while the queue's count stays <paramref name="count"/>: a queue of ten
    /// thousand messages is read once, not at every page view, and any message added or moved changes the count and
    /// reads it again. The page says when it was read.
    /// </summary>
    public async Task<(IReadOnlyList<MessageGroup> Groups, DeadLetterPage Page, DateTimeOffset ReadAt)> QueueAsync(DeadLetterInspector inspector,
        string queue, long count, string? group, string? after, int size, CancellationToken ct)
    {
        var key = (queue, group, after);
        if (reads.TryGetValue(key, out var cached) && IsFresh(cached) && cached.Value.Count == count)
            return (cached.Value.Groups, cached.Value.Page, cached.At);
        var (groups, page) = await inspector.GroupAndPageAsync(queue, after, size, group is null ? null : new RedriveFilter { GroupId = group }, ct);
        foreach (var (old, value) in reads)
            if (!IsFresh(value)) reads.TryRemove(old, out _);
        var at = clock.GetUtcNow();
        reads[key] = new(at, (count, groups, page));
        return (groups, page, at);
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
