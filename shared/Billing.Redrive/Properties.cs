using System.Text;
using RabbitMQ.Client;

namespace Billing.Redrive;

/// <summary>Copies AMQP properties for a move, and rewrites them for a replay.</summary>
internal static class Properties
{
    // RabbitMQ.Client 7 stamps each tracked publish with its sequence number; a stored copy of another channel's number means nothing.
    private const string ClientSequenceHeader = "x-dotnet-pub-seq-no";

    /// <summary>
    /// An exact copy (message id, correlation id, timestamp, headers...). The user id is dropped unless it is ours:
    /// the broker rejects a publish whose user-id is another user.
    /// </summary>
    public static BasicProperties Copy(IReadOnlyBasicProperties source, string user)
    {
        var copy = new BasicProperties();
        if (source.IsAppIdPresent()) copy.AppId = source.AppId;
        if (source.IsClusterIdPresent()) copy.ClusterId = source.ClusterId;
        if (source.IsContentEncodingPresent()) copy.ContentEncoding = source.ContentEncoding;
        if (source.IsContentTypePresent()) copy.ContentType = source.ContentType;
        if (source.IsCorrelationIdPresent()) copy.CorrelationId = source.CorrelationId;
        if (source.IsDeliveryModePresent()) copy.DeliveryMode = source.DeliveryMode;
        if (source.IsExpirationPresent()) copy.Expiration = source.Expiration;
        if (source.IsMessageIdPresent()) copy.MessageId = source.MessageId;
        if (source.IsPriorityPresent()) copy.Priority = source.Priority;
        if (source.IsReplyToPresent()) copy.ReplyTo = source.ReplyTo;
        if (source.IsTimestampPresent()) copy.Timestamp = source.Timestamp;
        if (source.IsTypePresent()) copy.Type = source.Type;
        if (source.IsUserIdPresent() && source.UserId == user) copy.UserId = source.UserId;
        if (source.Headers is not null)
            copy.Headers = source.Headers.Where(h => h.Key != ClientSequenceHeader).ToDictionary(h => h.Key, h => h.Value);
        return copy;
    }

    /// <summary>
    /// What the consumer queue gets back: the failure headers removed, everything else (ids, trace context, body) kept,
    /// plus how many times it has been redriven and by which redrive.
    /// </summary>
    public static BasicProperties Replay(IReadOnlyBasicProperties source, string user, int redriveCount, Guid redriveId)
    {
        var replay = Copy(source, user);
        var headers = new Dictionary<string, object?>();
        foreach (var (name, value) in source.Headers ?? new Dictionary<string, object?>())
            if (!RedriveHeaders.IsFailureHeader(name) && name != ClientSequenceHeader && !name.Equals(RedriveHeaders.RedriveCount, StringComparison.OrdinalIgnoreCase)
                && !name.Equals(RedriveHeaders.RedriveId, StringComparison.OrdinalIgnoreCase))
                headers[name] = value;
        headers[RedriveHeaders.RedriveCount] = redriveCount;
        headers[RedriveHeaders.RedriveId] = Encoding.UTF8.GetBytes(redriveId.ToString());
        replay.Headers = headers;
        // A dead-lettered message may still carry its original per-message TTL; replaying it must not let it expire.
        replay.ClearExpiration();
        return replay;
    }
}
