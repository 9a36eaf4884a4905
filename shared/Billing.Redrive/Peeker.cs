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
        var total = await Amqp.RequireCountAsync(connection, queue, ct);
        var wanted = (int)Math.Min(total, (uint)limit);
        var deliveries = new List<Delivery>(wanted);
        if (wanted == 0) return (total, deliveries);
        // Prefetch must cover the whole peek because nothing is acked; 0 (unlimited) when it exceeds the protocol's 16 bits.
        var prefetch = wanted > ushort.MaxValue ? (ushort)0 : (ushort)wanted;
        await using var reader = await QueueReader.StartAsync(connection, queue, prefetch, ct);
        try
        {
            while (deliveries.Count < wanted)
            {
                var batch = await reader.ReadBatchAsync(wanted - deliveries.Count, idle, ct);
                if (batch.Count == 0) break;
                deliveries.AddRange(batch);
            }
        }
        finally
        {
            await reader.RequeueAllAsync();
        }
        return (total, deliveries);
    }
}
