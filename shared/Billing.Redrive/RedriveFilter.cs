using System.Text.Json.Serialization;

namespace Billing.Redrive;

/// <summary>
/// Which dead-lettered messages an operation applies to. Every criterion given must match (AND);
/// an empty filter matches everything. Text comparisons are exact and case-sensitive except business keys' names.
/// </summary>
public sealed record RedriveFilter
{
    public static readonly RedriveFilter All = new();

    public IReadOnlyList<string>? MessageIds { get; init; }
    /// <summary>A <see cref="GroupKey.Id"/> from a grouping.</summary>
    public string? GroupId { get; init; }
    public string? ExceptionType { get; init; }
    /// <summary>A message type urn or just the type name (GenerateInvoice).</summary>
    public string? MessageType { get; init; }
    /// <summary>name=value, e.g. accountId=8f0c…; names: invoiceId, accountId, runId, period.</summary>
    public string? BusinessKey { get; init; }
    /// <summary>Inclusive lower bound on when the message failed (or was sent).</summary>
    public DateTimeOffset? From { get; init; }
    /// <summary>Exclusive upper bound on when the message failed (or was sent).</summary>
    public DateTimeOffset? To { get; init; }

    [JsonIgnore]
    public bool IsEmpty => this == All || (MessageIds is null && GroupId is null && ExceptionType is null && MessageType is null
        && BusinessKey is null && From is null && To is null);

    /// <summary>Throws <see cref="ArgumentException"/> naming the criterion when it can never be meaningful.</summary>
    public void Validate()
    {
        if (MessageIds is { Count: 0 }) throw new ArgumentException("MessageIds, when given, must list at least one id.", nameof(MessageIds));
        if (MessageIds?.Any(string.IsNullOrWhiteSpace) == true) throw new ArgumentException("MessageIds must not contain blanks.", nameof(MessageIds));
        if (BusinessKey is not null && ParseBusinessKey(BusinessKey) is null)
            throw new ArgumentException($"BusinessKey must be name=value, got '{BusinessKey}'.", nameof(BusinessKey));
        if (From is not null && To is not null && From >= To) throw new ArgumentException("From must be before To.", nameof(From));
        if (GroupId is { Length: 0 } || ExceptionType is { Length: 0 } || MessageType is { Length: 0 })
            throw new ArgumentException("Filter criteria must not be empty strings; leave them out instead.");
    }

    public bool Matches(DeadLetterMessage message)
    {
        if (MessageIds is not null && (message.MessageId is null || !MessageIds.Contains(message.MessageId))) return false;
        if (GroupId is not null && message.Group.Id != GroupId) return false;
        if (ExceptionType is not null && message.ExceptionType != ExceptionType) return false;
        if (MessageType is not null && !MessageTypeMatches(message)) return false;
        if (BusinessKey is not null)
        {
            var (name, value) = ParseBusinessKey(BusinessKey) ?? throw new ArgumentException("BusinessKey must be name=value.");
            if (!message.BusinessKeys.TryGetValue(name, out var actual) || !actual.Equals(value, StringComparison.OrdinalIgnoreCase)) return false;
        }
        if (From is not null && (message.SeenAt is null || message.SeenAt < From)) return false;
        if (To is not null && (message.SeenAt is null || message.SeenAt >= To)) return false;
        return true;
    }

    private bool MessageTypeMatches(DeadLetterMessage message) =>
        message.MessageType == MessageType
        || message.MessageTypes.Contains(MessageType!)
        || (message.MessageType?.EndsWith(":" + MessageType, StringComparison.Ordinal) ?? false);

    private static (string Name, string Value)? ParseBusinessKey(string text)
    {
        var parts = text.Split('=', 2);
        return parts.Length == 2 && parts[0].Trim().Length > 0 && parts[1].Trim().Length > 0 ? (parts[0].Trim(), parts[1].Trim()) : null;
    }
}
