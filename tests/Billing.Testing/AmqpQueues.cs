using RabbitMQ.Client;

namespace Billing.Testing;

/// <summary>Raw AMQP for arranging a test's queues: declaring them and filling them fast.</summary>
public static class AmqpQueues
{
    /// <summary>Durable, non-exclusive queues, as the services declare theirs.</summary>
    public static async Task DeclareAsync(IConnection connection, params string[] queues)
    {
        await using var channel = await connection.CreateChannelAsync();
        foreach (var queue in queues) await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
    }

    /// <summary>Publishes to a queue with confirms in windows of 500, as fast as the broker takes them.</summary>
    public static async Task PublishAsync(IConnection connection, string queue, IEnumerable<(BasicProperties Properties, byte[] Body)> messages)
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var window = new List<ValueTask>();
        foreach (var (properties, body) in messages)
        {
            window.Add(channel.BasicPublishAsync("", queue, true, properties, body));
            if (window.Count < 500) continue;
            foreach (var pending in window) await pending;
            window.Clear();
        }
        foreach (var pending in window) await pending;
    }
}
