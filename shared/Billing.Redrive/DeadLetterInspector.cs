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
