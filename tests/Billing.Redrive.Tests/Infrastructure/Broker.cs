using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Billing.Redrive.Tests.Infrastructure;

/// <summary>Raw AMQP helpers for reading what ended up where (queues are declared and filled with <see cref="AmqpQueues"/>).</summary>
internal static class Broker
{
    public sealed record Received(IReadOnlyBasicProperties Properties, string Body)
    {
        public string? Header(string name) => HeaderValues.String(Properties.Headers, name);
    }

    public static async Task<uint> CountAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    /// <summary>Consumes and acks everything in the queue (until it stays empty for a moment).</summary>
    public static async Task<List<Received>> DrainAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        var received = new List<Received>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } result)
            received.Add(new(result.BasicProperties, Encoding.UTF8.GetString(result.Body.Span)));
        return received;
    }

    public static async Task WaitForCountAsync(IConnection connection, string queue, uint count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        uint last = 0;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await CountAsync(connection, queue);
                if (last == count) return;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                // not declared yet
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{queue} held {last} messages, expected {count}.");
    }

    /// <summary>After a connection drop the broker requeues its unacked messages; wait until none are outstanding.</summary>
    public static async Task WaitForUnackedReturnedAsync(RabbitVhost vhost, string queue)
    {
        for (var i = 0; i < 100; i++)
        {
            var names = await vhost.Management.ConnectionNamesAsync(vhost.Name, "billing-redrive:", default);
            if (names.Count == 0) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"redrive connections still open on {queue}");
    }
}
