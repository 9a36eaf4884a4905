using System.Net;

namespace Billing.Errors;

/// <summary>The chat service answered but did not accept the message.</summary>
public sealed class ChatDeliveryException(HttpStatusCode status, string detail, TimeSpan? retryAfter = null)
    : Exception($"chat webhook answered {(int)status} {status}: {detail}")
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>The wait the chat service asked for (Slack sends Retry-After with 429).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
