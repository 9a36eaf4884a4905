using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Billing.Redrive;

internal static class Amqp
{
    /// <summary>
    /// A connection without automatic recovery: after a drop, delivery tags of the old channel mean nothing,
    /// so an operation must fail and be rerun (the broker has already returned its unacked messages).
    /// </summary>
    public static Task<IConnection> ConnectAsync(RedriveOptions options, string purpose, CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            Uri = options.AmqpUri,
            ClientProvidedName = $"billing-redrive:{purpose}",
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
        };
        return factory.CreateConnectionAsync(ct);
    }

    /// <summary>Ready messages in a queue, or null when it does not exist (a failed passive declare closes its channel, hence a throwaway one).</summary>
    public static async Task<uint?> CountAsync(IConnection connection, string queue, CancellationToken ct)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, ct)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    /// <summary>Parking and archive queues are ours: durable classic queues, created on first use.</summary>
    public static async Task EnsureQueueAsync(IConnection connection, string queue, CancellationToken ct)
    {
        if (await CountAsync(connection, queue, ct) is not null) return;
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: ct);
    }

    public static async Task<uint> RequireCountAsync(IConnection connection, string queue, CancellationToken ct) =>
        await CountAsync(connection, queue, ct) ?? throw new QueueNotFoundException(queue);
}

public sealed class QueueNotFoundException(string queue) : Exception($"Queue '{queue}' does not exist in this virtual host.")
{
    public string Queue { get; } = queue;
}
