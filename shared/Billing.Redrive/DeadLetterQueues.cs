namespace Billing.Redrive;

/// <summary>One dead-letter queue. OldestAge is null when the queue is empty or its head has no timestamp.</summary>
public sealed record DeadLetterQueueInfo(string Name, DeadLetterKind Kind, long Messages, TimeSpan? OldestAge, string SourceQueue);

/// <summary>Lists the vhost's <c>_error</c>, <c>_skipped</c>, <c>_parked</c> and <c>_archive</c> queues.</summary>
public sealed class DeadLetterQueues(RedriveOptions options, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Messages ready in <paramref name="queue"/> right now, or null when it does not exist (any queue, not only dead-letter ones).</summary>
    public async Task<long?> CountAsync(string queue, CancellationToken ct = default)
    {
        QueueNames.Require(queue, nameof(queue));
        await using var connection = await Amqp.ConnectAsync(options, "count", ct);
        return await Amqp.CountAsync(connection, queue, ct);
    }

    public async Task<IReadOnlyList<DeadLetterQueueInfo>> ListAsync(CancellationToken ct = default)
    {
        using var management = ManagementClient.For(options);
        var rows = await management.QueuesAsync(options.VirtualHost, ct);
        await using var connection = await Amqp.ConnectAsync(options, "list", ct);
        var result = new List<DeadLetterQueueInfo>();
        foreach (var row in rows.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            if (QueueNames.KindOf(row.Name) is not { } kind) continue;
            // Management counters lag; a passive declare gives the count right now.
            if (await Amqp.CountAsync(connection, row.Name, ct) is not { } count) continue;
            var oldest = count == 0 ? null : await OldestAsync(connection, row, ct);
            result.Add(new(row.Name, kind, count, oldest is { } at ? _clock.GetUtcNow() - at : null, QueueNames.SourceOf(row.Name)));
        }
        return result;
    }

    /// <summary>
    /// head_message_timestamp only exists for classic queues whose head has an AMQP timestamp, which MassTransit does not set;
    /// otherwise peek the head message (the oldest) and use its fault time or send time.
    /// </summary>
    private async Task<DateTimeOffset?> OldestAsync(RabbitMQ.Client.IConnection connection, ManagementClient.QueueRow row, CancellationToken ct)
    {
        if (row.HeadMessageTimestamp is { } seconds and > 0) return DateTimeOffset.FromUnixTimeSeconds(seconds);
        var (_, head) = await Peeker.PeekAsync(connection, row.Name, 1, options.IdleTimeout, ct);
        return head.Count == 0 ? null : head[0].Read(row.Name).SeenAt;
    }
}
