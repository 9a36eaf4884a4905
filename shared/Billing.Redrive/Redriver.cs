using System.Text.Json;
using System.Text.Json.Serialization;

namespace Billing.Redrive;

/// <summary>
/// Plans and runs redrives, archives, restores and purges of dead-letter queues, writing one audit row per action
/// when an audit store is given.
/// </summary>
public sealed class Redriver(RedriveOptions options, RedriveAuditStore? audit = null, TimeProvider? clock = null)
{
    private static readonly JsonSerializerOptions FilterJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>What <see cref="RunAsync"/> would do with the same queue, filter and limit; moves nothing.</summary>
    public async Task<RedrivePlan> PlanAsync(string queue, RedriveFilter? filter = null, int? limit = null, CancellationToken ct = default)
    {
        options.Validate();
        QueueNames.RequireDeadLetter(queue, nameof(queue));
        filter ??= RedriveFilter.All;
        filter.Validate();
        await using var connection = await Amqp.ConnectAsync(options, "plan", ct);
        var (total, deliveries) = await Peeker.PeekAsync(connection, queue, options.PeekLimit, options.IdleTimeout, ct);
        long moved = 0, skipped = 0, failed = 0, parked = 0;
        var byTarget = new Dictionary<string, long>(StringComparer.Ordinal);
        var exists = new Dictionary<string, bool>(StringComparer.Ordinal);
        var matching = new List<DeadLetterMessage>();
        foreach (var message in deliveries.Select(d => d.Read(queue)))
        {
            if (limit is not null && moved + parked >= limit) break;
            var decision = Decision.ForRedrive(message, queue, filter, options.MaxRedriveCount);
            if (decision.Kind == RouteKind.Keep) { skipped++; continue; }
            matching.Add(message);
            if (decision.Kind == RouteKind.Deliver)
            {
                if (!exists.TryGetValue(decision.Queue, out var found))
                    exists[decision.Queue] = found = await Amqp.CountAsync(connection, decision.Queue, ct) is not null;
                if (!found) { failed++; continue; }
                moved++;
            }
            else parked++;
            byTarget[decision.Queue] = byTarget.GetValueOrDefault(decision.Queue) + 1;
        }
        return new RedrivePlan(queue, total, deliveries.Count, moved, skipped, failed, parked, byTarget,
            DeadLetterInspector.Group(matching), [.. exists.Where(e => !e.Value).Select(e => e.Key).Order(StringComparer.Ordinal)]);
    }

    /// <summary>
    /// Replays matching messages to the queue each failed on (default exchange, so only that queue), parks those redriven
    /// <see cref="RedriveOptions.MaxRedriveCount"/> times, and leaves the rest in the dead-letter queue. Cancelling stops
    /// after the batch in flight and returns the counts so far with <see cref="RedriveResult.Cancelled"/> set.
    /// </summary>
    public async Task<RedriveResult> RunAsync(RedriveRequest request, IProgress<RedriveProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        options.Validate();
        request.Validate();
        var id = Guid.NewGuid();
        var rate = request.Rate ?? options.DefaultRate;
        var started = _clock.GetUtcNow();
        if (request.DryRun)
        {
            var plan = await PlanAsync(request.Queue, request.Filter, request.Limit, ct);
            var dry = new RedriveResult(id, request.Queue, true, plan.Total, plan.Moved, plan.Skipped, plan.Failed, plan.Parked, false, _clock.GetUtcNow() - started);
            await AuditAsync(RedriveActions.Redrive, request.RequestedBy, request.Filter, rate, dry, started, null);
            return dry;
        }
        return await MoveAsync(RedriveActions.Redrive, request.RequestedBy, request.Filter, rate, id, started, ct, () => new MoveJob(
            id, request.Queue,
            d => Decision.ForRedrive(d.Read(request.Queue), request.Queue, request.Filter, options.MaxRedriveCount),
            (d, decision) => decision.Kind == RouteKind.Deliver
                ? Properties.Replay(d.Properties, AmqpUser, d.Read(request.Queue).RedriveCount + 1, id)
                : Properties.Copy(d.Properties, AmqpUser),
            request.BatchSize ?? options.BatchSize, rate, request.Limit, progress));
    }

    /// <summary>Moves matching messages, untouched, from a dead-letter queue to <c>&lt;queue&gt;_archive</c>.</summary>
    public Task<RedriveResult> ArchiveAsync(string queue, string requestedBy, RedriveFilter? filter = null, IProgress<RedriveProgress>? progress = null, CancellationToken ct = default)
    {
        QueueNames.RequireDeadLetter(queue, nameof(queue));
        if (QueueNames.KindOf(queue) == DeadLetterKind.Archive) throw new ArgumentException("An archive cannot be archived again.", nameof(queue));
        return MovePlainAsync(RedriveActions.Archive, queue, QueueNames.Archive(queue), requestedBy, filter, progress, ct);
    }

    /// <summary>Moves matching messages, untouched, from <c>&lt;queue&gt;_archive</c> back into the dead-letter queue <paramref name="queue"/>.</summary>
    public Task<RedriveResult> RestoreAsync(string queue, string requestedBy, RedriveFilter? filter = null, IProgress<RedriveProgress>? progress = null, CancellationToken ct = default)
    {
        QueueNames.RequireDeadLetter(queue, nameof(queue));
        if (QueueNames.KindOf(queue) == DeadLetterKind.Archive) throw new ArgumentException("Name the dead-letter queue to restore into, not its archive.", nameof(queue));
        return MovePlainAsync(RedriveActions.Restore, QueueNames.Archive(queue), queue, requestedBy, filter, progress, ct);
    }

    /// <summary>
    /// Deletes exactly the <paramref name="expectedCount"/> messages at the head of a dead-letter queue, and only when
    /// <paramref name="confirmQueue"/> repeats the queue name and the queue holds exactly that many messages right now.
    /// Messages arriving later are not touched (unlike queue.purge, which would take them too).
    /// </summary>
    public async Task<long> PurgeAsync(string queue, string confirmQueue, long expectedCount, string requestedBy, CancellationToken ct = default)
    {
        QueueNames.RequireDeadLetter(queue, nameof(queue));
        if (string.IsNullOrWhiteSpace(requestedBy)) throw new ArgumentException("requestedBy names who asked for the purge.", nameof(requestedBy));
        if (confirmQueue != queue) throw new PurgeRefusedException($"Confirmation '{confirmQueue}' does not repeat the queue name '{queue}'.");
        if (expectedCount < 1) throw new PurgeRefusedException("expectedCount must be the number of messages you saw in the queue (at least 1).");
        var id = Guid.NewGuid();
        var started = _clock.GetUtcNow();
        await using var connection = await Amqp.ConnectAsync(options, $"purge:{id}", ct);
        var count = await Amqp.RequireCountAsync(connection, queue, ct);
        if (count != expectedCount) throw new PurgeRefusedException($"'{queue}' holds {count} messages, not the {expectedCount} confirmed; nothing was purged.");
        long purged = 0;
        await using (var reader = await QueueReader.StartAsync(connection, queue, (ushort)Math.Min(expectedCount, 1000), ct))
        {
            while (purged < expectedCount)
            {
                var batch = await reader.ReadBatchAsync((int)Math.Min(1000, expectedCount - purged), options.IdleTimeout, CancellationToken.None);
                if (batch.Count == 0) break;
                foreach (var delivery in batch) await reader.AckAsync(delivery.Tag);
                purged += batch.Count;
            }
            await reader.RequeueAllAsync();
        }
        var result = new RedriveResult(id, queue, false, count, purged, 0, 0, 0, false, _clock.GetUtcNow() - started);
        await AuditAsync(RedriveActions.Purge, requestedBy, RedriveFilter.All, null, result, started, null);
        return purged;
    }

    private Task<RedriveResult> MovePlainAsync(string action, string source, string target, string requestedBy, RedriveFilter? filter, IProgress<RedriveProgress>? progress, CancellationToken ct)
    {
        options.Validate();
        if (string.IsNullOrWhiteSpace(requestedBy)) throw new ArgumentException("requestedBy names who asked for it.", nameof(requestedBy));
        filter ??= RedriveFilter.All;
        filter.Validate();
        var id = Guid.NewGuid();
        return MoveAsync(action, requestedBy, filter, null, id, _clock.GetUtcNow(), ct, () => new MoveJob(
            id, source,
            d => filter.Matches(d.Read(source)) ? new Decision(RouteKind.Move, target) : new Decision(RouteKind.Keep, source),
            (d, _) => Properties.Copy(d.Properties, AmqpUser),
            options.BatchSize, null, null, progress));
    }

    private async Task<RedriveResult> MoveAsync(
        string action, string requestedBy, RedriveFilter filter, double? rate, Guid id, DateTimeOffset started,
        CancellationToken ct, Func<MoveJob> job)
    {
        var move = job();
        QueueMover? mover = null;
        try
        {
            await using var connection = await Amqp.ConnectAsync(options, $"{action}:{id}", ct);
            mover = new QueueMover(connection, options, AmqpUser);
            var counts = await mover.RunAsync(move, ct);
            var result = new RedriveResult(id, move.Source, false, counts.Total, counts.Moved, counts.Skipped, counts.Failed, counts.Parked, counts.Cancelled, counts.Elapsed);
            await AuditAsync(action, requestedBy, filter, rate, result, started, null);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Unacked messages go back to the queue by themselves; the row records the batches that were finished
            // (the batch in flight may also have been delivered, as duplicates of what is still dead-lettered).
            var last = mover?.Last;
            var partial = new RedriveResult(id, move.Source, false, last?.Total ?? 0, last?.Moved ?? 0, last?.Skipped ?? 0,
                last?.Failed ?? 0, last?.Parked ?? 0, false, _clock.GetUtcNow() - started);
            await AuditAsync(action, requestedBy, filter, rate, partial, started, e.Message);
            throw;
        }
    }

    private async Task AuditAsync(string action, string requestedBy, RedriveFilter filter, double? rate, RedriveResult result, DateTimeOffset started, string? error)
    {
        if (audit is null) return;
        var outcome = error is not null ? RedriveOutcomes.Failed : result.Cancelled ? RedriveOutcomes.Cancelled : RedriveOutcomes.Completed;
        await audit.InsertAsync(new RedriveAuditEntry(
            result.RedriveId, action, result.Queue, requestedBy, JsonSerializer.Serialize(filter, FilterJson), result.DryRun, rate,
            result.Total, result.Moved, result.Skipped, result.Failed, result.Parked, outcome, error, started, _clock.GetUtcNow()), CancellationToken.None);
    }

    private string AmqpUser
    {
        get
        {
            var user = Uri.UnescapeDataString(options.AmqpUri.UserInfo.Split(':', 2)[0]);
            return user.Length == 0 ? "guest" : user;
        }
    }
}
