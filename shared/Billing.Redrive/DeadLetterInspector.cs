namespace Billing.Redrive;

/// <summary>Reads dead-lettered messages without consuming them (see <see cref="Peeker"/> for how).</summary>
public sealed class DeadLetterInspector(RedriveOptions options)
{
    /// <summary>The first <paramref name="limit"/> messages of <paramref name="queue"/>, oldest first.</summary>
    public async Task<IReadOnlyList<DeadLetterMessage>> PeekAsync(string queue, int limit = 50, CancellationToken ct = default)
    {
        QueueNames.Require(queue, nameof(queue));
        if (limit < 1 || limit > options.PeekLimit) throw new ArgumentOutOfRangeException(nameof(limit), $"limit must be between 1 and {options.PeekLimit}.");
        await using var connection = await Amqp.ConnectAsync(options, "peek", ct);
        var (_, deliveries) = await Peeker.PeekAsync(connection, queue, limit, options.IdleTimeout, ct);
        return [.. deliveries.Select(d => d.Read(queue))];
    }

    /// <summary>
    /// Up to <paramref name="size"/> messages of <paramref name="queue"/> in queue order that <paramref name="filter"/> takes,
    /// starting after the message whose <see cref="DeadLetterMessage.MessageId"/> is <paramref name="after"/> (from the
    /// head when null). The scan stops once the page and the first message of the next one are read, and keeps only those:
    /// a page of a queue of any length costs the messages before it, never the whole queue in memory.
    /// </summary>
    public async Task<DeadLetterPage> PageAsync(string queue, string? after, int size, RedriveFilter? filter = null, CancellationToken ct = default)
    {
        QueueNames.Require(queue, nameof(queue));
        if (size < 1 || size > 1000) throw new ArgumentOutOfRangeException(nameof(size), "size must be between 1 and 1000.");
        filter ??= RedriveFilter.All;
        filter.Validate();
        await using var connection = await Amqp.ConnectAsync(options, "page", ct);
        var page = new List<DeadLetterMessage>(size);
        var started = after is null;
        var more = false;
        var total = await Peeker.ScanAsync(connection, queue, options.PeekLimit, options.IdleTimeout, delivery =>
        {
            var message = delivery.Read(queue);
            if (!started)
            {
                started = message.MessageId == after;
                return true;
            }
            if (!filter.Matches(message)) return true;
            if (page.Count == size)
            {
                more = true;
                return false;
            }
            page.Add(message);
            return true;
        }, ct);
        return new DeadLetterPage(page, more ? page[^1].MessageId : null, total, started);
    }

    /// <summary>
    /// <see cref="GroupAsync"/> and <see cref="PageAsync"/> in one read of the queue: the groups of every message (up to
    /// <see cref="RedriveOptions.PeekLimit"/>) and the page after <paramref name="after"/> that <paramref name="filter"/> takes.
    /// </summary>
    public async Task<(IReadOnlyList<MessageGroup> Groups, DeadLetterPage Page)> GroupAndPageAsync(string queue, string? after, int size,
        RedriveFilter? filter = null, CancellationToken ct = default)
    {
        QueueNames.Require(queue, nameof(queue));
        if (size < 1 || size > 1000) throw new ArgumentOutOfRangeException(nameof(size), "size must be between 1 and 1000.");
        filter ??= RedriveFilter.All;
        filter.Validate();
        await using var connection = await Amqp.ConnectAsync(options, "group", ct);
        var all = new List<DeadLetterMessage>();
        var page = new List<DeadLetterMessage>(size);
        var started = after is null;
        var more = false;
        var total = await Peeker.ScanAsync(connection, queue, options.PeekLimit, options.IdleTimeout, delivery =>
        {
            var message = delivery.Read(queue);
            all.Add(message);
            if (!started) started = message.MessageId == after;
            else if (!more && filter.Matches(message))
            {
                if (page.Count == size) more = true;
                else page.Add(message);
            }
            return true;
        }, ct);
        return (Group(all), new DeadLetterPage(page, more ? page[^1].MessageId : null, total, started));
    }

    /// <summary>The first message of <paramref name="queue"/> with this message id, with its headers and body; null when none is there.</summary>
    public async Task<DeadLetterDetail?> FindAsync(string queue, string messageId, CancellationToken ct = default)
    {
        QueueNames.Require(queue, nameof(queue));
        await using var connection = await Amqp.ConnectAsync(options, "find", ct);
        DeadLetterDetail? found = null;
        await Peeker.ScanAsync(connection, queue, options.PeekLimit, options.IdleTimeout, delivery =>
        {
            if (delivery.Read(queue).MessageId != messageId) return true;
            found = delivery.Detail(queue);
            return false;
        }, ct);
        return found;
    }

    /// <summary>The queue's messages (up to <see cref="RedriveOptions.PeekLimit"/>) grouped by exception type, message type and first frame, largest group first.</summary>
    public async Task<IReadOnlyList<MessageGroup>> GroupAsync(string queue, CancellationToken ct = default)
    {
        QueueNames.Require(queue, nameof(queue));
        await using var connection = await Amqp.ConnectAsync(options, "group", ct);
        var (_, deliveries) = await Peeker.PeekAsync(connection, queue, options.PeekLimit, options.IdleTimeout, ct);
        return Group(deliveries.Select(d => d.Read(queue)));
    }

    internal static IReadOnlyList<MessageGroup> Group(IEnumerable<DeadLetterMessage> messages) =>
        [.. messages.GroupBy(m => m.Group)
            .Select(g => new MessageGroup(g.Key, g.Count(), g.Min(m => m.SeenAt), g.Max(m => m.SeenAt), g.First().FaultReason, g.First().MessageId))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Key.Id, StringComparer.Ordinal)];
}
