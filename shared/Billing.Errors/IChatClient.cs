namespace Billing.Errors;

/// <summary>Posts one message to the team channel. Throws <see cref="ChatDeliveryException"/> (or the
/// transport's exception) when the message was not accepted; the outbox then keeps it for a retry.</summary>
public interface IChatClient
{
    Task SendAsync(string text, CancellationToken ct = default);
}
