namespace Billing.Redrive;

/// <summary>Everything an operator needs to understand one dead-lettered message, read without consuming it.</summary>
public sealed record DeadLetterMessage
{
    public required string Queue { get; init; }
    public string? MessageId { get; init; }
    public string? CorrelationId { get; init; }
    public string? ConversationId { get; init; }
    /// <summary>The most specific message type urn, e.g. urn:message:Billing.Contracts:GenerateInvoice.</summary>
    public string? MessageType { get; init; }
    public IReadOnlyList<string> MessageTypes { get; init; } = [];
    public string? ExceptionType { get; init; }
    /// <summary>The exception message (MT-Fault-Message), or MT-Reason for skipped messages.</summary>
    public string? FaultReason { get; init; }
    public string? StackTrace { get; init; }
    public int RetryCount { get; init; }
    public DateTimeOffset? FaultedAt { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    /// <summary>The queue the message failed on and a redrive sends it back to.</summary>
    public required string OriginalQueue { get; init; }
    public string? InputAddress { get; init; }
    public string? ConsumerType { get; init; }
    /// <summary>invoiceId, accountId, runId, period when the message body has them.</summary>
    public IReadOnlyDictionary<string, string> BusinessKeys { get; init; } = new Dictionary<string, string>();
    public string? TraceId { get; init; }
    public string? TraceParent { get; init; }
    public int RedriveCount { get; init; }
    /// <summary>The broker delivered it before (set by every peek).</summary>
    public bool Redelivered { get; init; }
    public int BodySize { get; init; }
    public required GroupKey Group { get; init; }

    /// <summary>When it failed, or when it was sent if no fault time is known: what "age" and time filters use.</summary>
    public DateTimeOffset? SeenAt => FaultedAt ?? SentAt;
}

/// <summary>A page of a queue's messages in queue order. <c>Next</c> is the message id to continue after (null on the last
/// page); <c>AfterFound</c> is false when the message to continue after is no longer in the queue (the page is then empty).</summary>
public sealed record DeadLetterPage(IReadOnlyList<DeadLetterMessage> Messages, string? Next, long Total, bool AfterFound);

/// <summary>One dead-lettered message in full: what <see cref="DeadLetterMessage"/> reads from it, its AMQP properties and
/// headers as text (in the order the broker gave them) and its body as UTF-8 text.</summary>
public sealed record DeadLetterDetail(
    DeadLetterMessage Message, IReadOnlyList<KeyValuePair<string, string>> Properties, IReadOnlyList<KeyValuePair<string, string>> Headers,
    string Body, string? ContentType);
