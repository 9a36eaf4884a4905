using System.Globalization;
using System.Text.Json;

namespace Billing.Redrive;

/// <summary>Turns headers plus a MassTransit JSON envelope (or a raw JSON body) into a <see cref="DeadLetterMessage"/>.</summary>
internal static class MessageReader
{
    private static readonly string[] KeyNames = ["invoiceId", "accountId", "runId", "period"];

    public static DeadLetterMessage Read(string queue, Delivery delivery)
    {
        var props = delivery.Properties;
        var headers = props.Headers;
        var envelope = Envelope.Parse(delivery.Body);
        var exceptionType = HeaderValues.String(headers, RedriveHeaders.FaultExceptionType);
        var stack = HeaderValues.String(headers, RedriveHeaders.FaultStackTrace);
        var messageType = envelope.MessageTypes.FirstOrDefault() ?? HeaderValues.String(headers, RedriveHeaders.FaultMessageType) ?? props.Type;
        var inputAddress = HeaderValues.String(headers, RedriveHeaders.FaultInputAddress);
        var traceParent = HeaderValues.String(headers, RedriveHeaders.TraceParent)
            ?? HeaderValues.String(headers, RedriveHeaders.ActivityId) ?? envelope.TraceParent;
        return new DeadLetterMessage
        {
            Queue = queue,
            MessageId = props.MessageId ?? envelope.MessageId,
            CorrelationId = envelope.CorrelationId ?? props.CorrelationId,
            ConversationId = envelope.ConversationId,
            MessageType = messageType,
            MessageTypes = envelope.MessageTypes,
            ExceptionType = exceptionType,
            FaultReason = HeaderValues.String(headers, RedriveHeaders.FaultMessage) ?? HeaderValues.String(headers, RedriveHeaders.Reason),
            StackTrace = stack,
            RetryCount = (int)(HeaderValues.Long(headers, RedriveHeaders.FaultRetryCount) ?? 0),
            FaultedAt = HeaderValues.Timestamp(headers, RedriveHeaders.FaultTimestamp),
            SentAt = envelope.SentTime ?? (props.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(props.Timestamp.UnixTime) : null),
            OriginalQueue = QueueNames.FromAddress(inputAddress) ?? QueueNames.SourceOf(SourceQueueOf(queue)),
            InputAddress = inputAddress,
            ConsumerType = HeaderValues.String(headers, RedriveHeaders.FaultConsumerType),
            BusinessKeys = envelope.BusinessKeys,
            TraceId = TraceIdOf(traceParent),
            TraceParent = traceParent,
            RedriveCount = (int)(HeaderValues.Long(headers, RedriveHeaders.RedriveCount) ?? 0),
            Redelivered = delivery.Redelivered,
            BodySize = delivery.Body.Length,
            Group = new GroupKey(exceptionType ?? "", messageType ?? "", GroupKey.FirstFrameOf(stack)),
        };
    }

    // An archive holds error-queue messages: its source is the error queue, whose source is the consumer queue.
    private static string SourceQueueOf(string queue) =>
        QueueNames.KindOf(queue) == DeadLetterKind.Archive ? QueueNames.SourceOf(queue) : queue;

    /// <summary>W3C traceparent is version-traceid-spanid-flags; the trace id is the 32 hex digits.</summary>
    internal static string? TraceIdOf(string? traceParent)
    {
        var parts = traceParent?.Split('-');
        return parts is { Length: >= 4 } && parts[1].Length == 32 ? parts[1] : null;
    }

    private sealed record Envelope(
        string? MessageId, string? CorrelationId, string? ConversationId, DateTimeOffset? SentTime,
        IReadOnlyList<string> MessageTypes, IReadOnlyDictionary<string, string> BusinessKeys, string? TraceParent)
    {
        private static readonly Envelope Empty = new(null, null, null, null, [], new Dictionary<string, string>(), null);

        public static Envelope Parse(byte[] body)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return Empty;
                var isEnvelope = root.TryGetProperty("messageType", out var types) && root.TryGetProperty("message", out _);
                var message = isEnvelope ? root.GetProperty("message") : root;
                return new Envelope(
                    Text(root, "messageId"), Text(root, "correlationId"), Text(root, "conversationId"),
                    Time(root, "sentTime"),
                    isEnvelope && types.ValueKind == JsonValueKind.Array ? [.. types.EnumerateArray().Select(t => t.GetString() ?? "")] : [],
                    Keys(message),
                    root.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object
                        ? Text(h, RedriveHeaders.TraceParent) ?? Text(h, RedriveHeaders.ActivityId) : null);
            }
            catch (JsonException)
            {
                // Not JSON (or not ours): still listable and redrivable, just without envelope details.
                return Empty;
            }
        }

        private static IReadOnlyDictionary<string, string> Keys(JsonElement message)
        {
            var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (message.ValueKind != JsonValueKind.Object) return keys;
            foreach (var property in message.EnumerateObject())
                foreach (var name in KeyNames)
                    if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase) && Scalar(property.Value) is { } value)
                        keys[name] = value;
            return keys;
        }

        private static string? Scalar(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };

        private static string? Text(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) ? Scalar(value) : null;

        private static DateTimeOffset? Time(JsonElement element, string name) =>
            Text(element, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }
}
