using RabbitMQ.Client;

namespace Billing.Redrive;

/// <summary>One received message with its own copy of the body (the client reuses the frame buffer after the handler returns).</summary>
internal sealed record Delivery(ulong Tag, bool Redelivered, IReadOnlyBasicProperties Properties, byte[] Body)
{
    private DeadLetterMessage? _message;

    public DeadLetterMessage Read(string queue) => _message ??= MessageReader.Read(queue, this);

    public DeadLetterDetail Detail(string queue)
    {
        var p = Properties;
        var properties = new List<KeyValuePair<string, string>>();
        void Add(string name, bool present, object? value)
        {
            if (present && HeaderValues.Render(value) is { } text) properties.Add(new(name, text));
        }
        Add("message_id", p.IsMessageIdPresent(), p.MessageId);
        Add("correlation_id", p.IsCorrelationIdPresent(), p.CorrelationId);
        Add("content_type", p.IsContentTypePresent(), p.ContentType);
        Add("content_encoding", p.IsContentEncodingPresent(), p.ContentEncoding);
        Add("type", p.IsTypePresent(), p.Type);
        Add("delivery_mode", p.IsDeliveryModePresent(), p.DeliveryMode.ToString());
        Add("timestamp", p.IsTimestampPresent(), p.Timestamp);
        Add("expiration", p.IsExpirationPresent(), p.Expiration);
        Add("app_id", p.IsAppIdPresent(), p.AppId);
        Add("user_id", p.IsUserIdPresent(), p.UserId);
        Add("reply_to", p.IsReplyToPresent(), p.ReplyTo);
        Add("priority", p.IsPriorityPresent(), p.Priority);
        var headers = (p.Headers ?? new Dictionary<string, object?>())
            .Select(h => new KeyValuePair<string, string>(h.Key, HeaderValues.Render(h.Value) ?? "")).ToList();
        return new DeadLetterDetail(Read(queue), properties, headers, System.Text.Encoding.UTF8.GetString(Body), p.IsContentTypePresent() ? p.ContentType : null);
    }
}
