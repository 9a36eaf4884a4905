using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Billing.Redrive;

/// <summary>
/// A manual-ack consumer on one queue with bounded prefetch, handing deliveries to a single reader.
/// Whatever is not acked when it is disposed goes back to the queue (the broker requeues a closed channel's unacked messages).
/// </summary>
internal sealed class QueueReader : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly Channel<Delivery> _buffer = Channel.CreateUnbounded<Delivery>(new() { SingleReader = true, SingleWriter = true });
    private string? _consumerTag;

    private QueueReader(IChannel channel) => _channel = channel;

    public static async Task<QueueReader> StartAsync(IConnection connection, string queue, ushort prefetch, CancellationToken ct)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var reader = new QueueReader(channel);
        try
        {
            await channel.BasicQosAsync(0, prefetch, false, ct);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, ea) =>
            {
                reader._buffer.Writer.TryWrite(new Delivery(ea.DeliveryTag, ea.Redelivered, ea.BasicProperties, ea.Body.ToArray()));
                return Task.CompletedTask;
            };
            reader._consumerTag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer, ct);
            return reader;
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
    }

    /// <summary>Up to <paramref name="max"/> deliveries: waits for the first (at most <paramref name="idle"/>), then takes what is already there.</summary>
    public async Task<List<Delivery>> ReadBatchAsync(int max, TimeSpan idle, CancellationToken ct)
    {
        var batch = new List<Delivery>(max);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(idle);
        try
        {
            if (!await _buffer.Reader.WaitToReadAsync(wait.Token)) return batch;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Nothing came: the queue is drained, unless the channel died (then the pass did not finish and says so).
            if (!_channel.IsOpen) throw new AlreadyClosedException(_channel.CloseReason!);
            return batch;
        }
        while (batch.Count < max && _buffer.Reader.TryRead(out var delivery)) batch.Add(delivery);
        return batch;
    }

    public ValueTask AckAsync(ulong tag) => _channel.BasicAckAsync(tag, multiple: false);

    /// <summary>Acks every outstanding delivery up to and including <paramref name="tag"/>.</summary>
    public ValueTask AckUpToAsync(ulong tag) => _channel.BasicAckAsync(tag, multiple: true);

    public ValueTask RequeueAsync(ulong tag) => _channel.BasicNackAsync(tag, multiple: false, requeue: true);

    /// <summary>Hands back every delivery not yet acked; classic queues put them back where they were.</summary>
    public async Task RequeueAllAsync()
    {
        if (_consumerTag is not null && _channel.IsOpen)
        {
            await _channel.BasicCancelAsync(_consumerTag);
            _consumerTag = null;
        }
        if (_channel.IsOpen) await _channel.BasicNackAsync(0, multiple: true, requeue: true);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_channel.IsOpen) await _channel.CloseAsync();
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.AlreadyClosedException or OperationCanceledException or IOException)
        {
            // The connection is gone; the broker requeues the unacked messages on its own.
        }
        _channel.Dispose();
    }
}
