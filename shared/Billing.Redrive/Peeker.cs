using RabbitMQ.Client;

namespace Billing.Redrive;

/// <summary>
/// RabbitMQ has no peek. We consume the first N messages with manual ack, keep every one unacked until the whole batch
/// is read (so none is handed back to us twice), then nack them all with requeue. Classic queues put requeued messages
/// back at their original position; the only trace is the redelivered flag. Caveat: on a quorum queue with a delivery
/// limit each peek counts as a delivery, so MassTransit's default classic error queues are what this is meant for.
/// </summary>
internal static class Peeker
{
    public static async Task<(uint Total, List<Delivery> Deliveries)> PeekAsync(
        IConnection connection, string queue, int limit, TimeSpan idle, CancellationToken ct)
    {
        var deliveries = new List<Delivery>();
        var total = await ScanAsync(connection, queue, limit, idle, d => { deliveries.Add(d); return true; }, ct);
        return (total, deliveries);
    }

    /// <summary>
    /// Hands the first <paramref name="limit"/> messages to <paramref name="visit"/> in queue order, until it returns false,
    /// then puts every one back. Only the delivery tags are held, so a scan keeps in memory just what the visitor keeps.
    /// Returns the messages ready when the scan began.
    /// </summary>
    public static async Task<uint> ScanAsync(
        IConnection connection, string queue, int limit, TimeSpan idle, Func<Delivery, bool> visit, CancellationToken ct)
    {
        var total = await Amqp.RequireCountAsync(connection, queue, ct);
        var wanted = (int)Math.Min(total, (uint)limit);
        if (wanted == 0) return total;
        // Prefetch must cover the whole peek because nothing is acked; 0 (unlimited) when it exceeds the protocol's 16 bits.
        var prefetch = wanted > ushort.MaxValue ? (ushort)0 : (ushort)wanted;
        await using var reader = await QueueReader.StartAsync(connection, queue, prefetch, ct);
        try
        {
            var seen = 0;
            while (seen < wanted)
            {
                var batch = await reader.ReadBatchAsync(wanted - seen, idle, ct);
                if (batch.Count == 0) break;
                seen += batch.Count;
                foreach (var delivery in batch)
                    if (!visit(delivery)) return total;
            }
        }
        finally
        {
            await reader.RequeueAllAsync();
        }
        return total;
    }
}
