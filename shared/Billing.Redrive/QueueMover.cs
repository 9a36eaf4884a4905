using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Billing.Redrive;

/// <summary>One pass of a move over a queue.</summary>
internal sealed record MoveJob(
    Guid Id, string Source, Func<Delivery, Decision> Decide, Func<Delivery, Decision, BasicProperties> PropertiesFor,
    int BatchSize, double? Rate, long? Limit, IProgress<RedriveProgress>? Progress);

internal sealed record MoveCounts(long Total, long Moved, long Skipped, long Failed, long Parked, bool Cancelled, TimeSpan Elapsed);

/// <summary>
/// Moves messages out of a queue without ever losing one: each copy is published with publisher confirms (mandatory,
/// so an unroutable copy is reported rather than silently dropped) and the original is acked only after its copy is confirmed.
/// A crash at any point leaves a message in the source, in the target, or briefly in both (a duplicate, never a loss).
///
/// The pass reads exactly the N messages that were ready when it started. Messages that must stay (not matching, or whose
/// copy failed) are re-published to the tail of the source and then acked: holding them unacked would fill the prefetch
/// window, and requeueing them would hand them straight back to us. Their relative order is kept; new arrivals interleave.
/// </summary>
internal sealed class QueueMover(IConnection connection, RedriveOptions options, string user)
{
    private readonly HashSet<string> _declared = [];

    /// <summary>Counts after the last finished batch; what an audit row can still say when the pass dies half-way.</summary>
    public RedriveProgress? Last { get; private set; }

    public async Task<MoveCounts> RunAsync(MoveJob job, CancellationToken ct)
    {
        var total = await Amqp.RequireCountAsync(connection, job.Source, ct);
        var pacer = new Pacer(job.Rate);
        var batchSize = pacer.BatchSize(job.BatchSize);
        long processed = 0, moved = 0, skipped = 0, failed = 0, parked = 0;
        var cancelled = false;
        if (total == 0) return new(0, 0, 0, 0, 0, false, pacer.Elapsed);

        await using var publisher = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        // A publish awaiting its confirm when the connection dies is not always completed by the client: end the wait.
        using var shutdown = new CancellationTokenSource();
        publisher.ChannelShutdownAsync += (_, _) => shutdown.CancelAsync();
        void Count(RouteKind kind)
        {
            if (kind == RouteKind.Keep) skipped++;
            else if (kind == RouteKind.Park) parked++;
            else moved++;
        }

        await using var reader = await QueueReader.StartAsync(connection, job.Source, (ushort)Math.Min(batchSize * 2, ushort.MaxValue), ct);
        while (processed < total && (job.Limit is null || moved + parked < job.Limit))
        {
            List<Delivery> batch;
            try
            {
                await pacer.WaitAsync(moved + parked, ct);
                var room = (int)Math.Min(batchSize, total - processed);
                if (job.Limit is { } limit) room = (int)Math.Min(room, limit - moved - parked);
                batch = await reader.ReadBatchAsync(room, options.IdleTimeout, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                cancelled = true;
                break;
            }
            if (batch.Count == 0) break; // someone else drained the queue meanwhile

            var decisions = batch.Select(job.Decide).ToArray();
            foreach (var d in decisions)
                if (d.Kind is RouteKind.Park or RouteKind.Move && _declared.Add(d.Queue))
                    await Amqp.EnsureQueueAsync(connection, d.Queue, CancellationToken.None);

            // The whole batch is in flight at once (a window of confirms); a started batch finishes even when cancelled.
            var sends = batch.Select((delivery, i) => TryPublishAsync(publisher, decisions[i].Queue, job.PropertiesFor(delivery, decisions[i]), delivery.Body, shutdown.Token)).ToArray();
            var confirmed = await Task.WhenAll(sends);
            if (confirmed.All(c => c))
            {
                // Every copy is confirmed and the batch holds consecutive delivery tags (earlier ones are settled), so one ack covers it.
                await reader.AckUpToAsync(batch[^1].Tag);
                foreach (var d in decisions) Count(d.Kind);
                processed += batch.Count;
                Report(job, total, processed, moved, skipped, failed, parked, pacer);
                continue;
            }
            for (var i = 0; i < batch.Count; i++)
            {
                var delivery = batch[i];
                var kind = decisions[i].Kind;
                if (confirmed[i])
                {
                    await reader.AckAsync(delivery.Tag);
                    Count(kind);
                    continue;
                }
                if (kind == RouteKind.Keep) { await reader.RequeueAsync(delivery.Tag); skipped++; continue; }
                // The copy was refused: keep the message dead-lettered, as it was.
                failed++;
                if (await TryPublishAsync(publisher, job.Source, Properties.Copy(delivery.Properties, user), delivery.Body, shutdown.Token))
                    await reader.AckAsync(delivery.Tag);
                else
                    await reader.RequeueAsync(delivery.Tag);
            }
            processed += batch.Count;
            Report(job, total, processed, moved, skipped, failed, parked, pacer);
        }
        // Deliveries prefetched beyond the pass go back where they were.
        await reader.RequeueAllAsync();
        return new(total, moved, skipped, failed, parked, cancelled, pacer.Elapsed);
    }

    private void Report(MoveJob job, long total, long processed, long moved, long skipped, long failed, long parked, Pacer pacer)
    {
        Last = new(job.Id, total, processed, moved, skipped, failed, parked, pacer.Elapsed);
        job.Progress?.Report(Last);
    }

    /// <summary>Default exchange, routing key = queue name: reaches that queue only, never other subscribers of the message type.</summary>
    private static async Task<bool> TryPublishAsync(IChannel channel, string queue, BasicProperties properties, byte[] body, CancellationToken closed)
    {
        try
        {
            await channel.BasicPublishAsync("", queue, mandatory: true, properties, body, closed);
            return true;
        }
        catch (PublishException)
        {
            // Nacked by the broker or returned as unroutable (the queue does not exist).
            return false;
        }
    }
}
