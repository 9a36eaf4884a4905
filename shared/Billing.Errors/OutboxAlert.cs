namespace Billing.Errors;

/// <summary>One row of <c>chat_alert_outbox</c>: a chat message waiting to be delivered.</summary>
public sealed record OutboxAlert(
    long Id,
    string Kind,
    string Text,
    DateTimeOffset CreatedAt,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset? SentAt = null,
    string? LastError = null);
