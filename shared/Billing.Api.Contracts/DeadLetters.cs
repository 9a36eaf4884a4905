using System.Text.Json.Serialization;

namespace Billing.Api.Contracts;

/// <summary>A dead-letter queue; <c>kind</c> is error, skipped, parked or archive.</summary>
public sealed record DlqQueue(string Queue, string Kind, long Messages, double? OldestAgeSeconds, string SourceQueue);

public sealed record DlqQueueList(IReadOnlyList<DlqQueue> Queues);

/// <summary>Messages with the same exception type, message type and first stack frame.</summary>
public sealed record DlqGroup(
    string GroupId, string ExceptionType, string MessageType, string FirstFrame, int Count, DateTimeOffset? FirstSeen,
    DateTimeOffset? LastSeen, string? SampleReason, string? SampleMessageId);

public sealed record DlqGroupList(string Queue, IReadOnlyList<DlqGroup> Groups);

public sealed record DlqMessage(
    string? MessageId, string? MessageType, string? ExceptionType, string? FaultReason, string FirstFrame, string? StackTrace,
    int RetryCount, DateTimeOffset? FaultedAt, DateTimeOffset? SentAt, string OriginalQueue, string? ConsumerType,
    IReadOnlyDictionary<string, string> BusinessKeys, string? TraceId, string? TraceUrl, int RedriveCount, string GroupId,
    string? CorrelationId, string? ConversationId, int BodySize);

/// <summary>A peek at a queue: <c>total</c> is what a longer peek could show.</summary>
public sealed record DlqMessageList(string Queue, int Count, long Total, IReadOnlyList<DlqMessage> Messages);

/// <summary>Which messages a redrive, archive or restore took: every criterion listed must match; one not given is absent.</summary>
public sealed record DlqFilter(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? MessageIds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GroupId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ExceptionType,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MessageType,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BusinessKey,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? From,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? To);

/// <summary>The body of redrive, archive and restore: which messages (nothing given means nothing, unless <c>all</c>)
/// and, for a redrive, how fast (<c>rate</c> messages per second, <c>batch_size</c>, at most <c>limit</c>) or
/// <c>dry_run</c> to plan without moving anything.</summary>
public sealed record DlqFilterRequest
{
    public IReadOnlyList<string>? MessageIds { get; init; }
    public string? GroupId { get; init; }
    public string? ExceptionType { get; init; }
    public string? MessageType { get; init; }
    /// <summary>name=value, e.g. invoice_id=0193….</summary>
    public string? BusinessKey { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public bool? All { get; init; }
    public double? Rate { get; init; }
    public int? BatchSize { get; init; }
    public int? Limit { get; init; }
    public bool? DryRun { get; init; }
}

/// <summary>A dry run's plan: where each message would go, nothing moved.</summary>
public sealed record RedrivePlanResponse(
    string Queue, bool DryRun, long Total, long Examined, bool Complete, long Moved, long Skipped, long Failed, long Parked,
    IReadOnlyDictionary<string, long> ByTargetQueue, IReadOnlyList<DlqGroup> Groups, IReadOnlyList<string> MissingQueues);

public sealed record RedriveQueued(Guid JobId, string State, string Queue);

/// <summary>A redrive job run by the redrive service.</summary>
public sealed record RedriveJobResponse(
    Guid JobId, string Queue, DlqFilter Filter, double? Rate, int? BatchSize, int? Limit, string RequestedBy, string State,
    bool CancelRequested, long Total, long Moved, long Skipped, long Failed, long Parked, int Attempts, DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string? Error);

public sealed record DlqAuditEntry(
    Guid Id, string Action, string Queue, string RequestedBy, DlqFilter Filter, bool DryRun, double? Rate, long Total, long Moved,
    long Skipped, long Failed, long Parked, string Outcome, string? Error, DateTimeOffset StartedAt, DateTimeOffset FinishedAt);

public sealed record DlqAuditPage(int Count, int Total, int Offset, int? NextOffset, IReadOnlyList<DlqAuditEntry> Entries);

/// <summary>What an archive or restore moved between a queue and its archive.</summary>
public sealed record DlqMoveResponse(string Queue, string Archive, long Total, long Moved, long Skipped, long Failed, bool Cancelled);

/// <summary>POST /api/dlq/{queue}/purge: repeat the queue's name and say how many messages you saw in it.</summary>
public sealed record PurgeRequest(string? ConfirmQueue, long? ExpectedCount);

public sealed record PurgeResponse(string Queue, long Purged);
