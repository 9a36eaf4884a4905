using RabbitMQ.Client;

namespace Billing.Redrive;

/// <summary>One received message with its own copy of the body (the client reuses the frame buffer after the handler returns).</summary>
internal sealed record Delivery(ulong Tag, bool Redelivered, IReadOnlyBasicProperties Properties, byte[] Body)
{
    private DeadLetterMessage? _message;

    public DeadLetterMessage Read(string queue) => _message ??= MessageReader.Read(queue, this);
}
