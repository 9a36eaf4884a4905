namespace Billing.Redrive;

/// <summary>Header names read from MassTransit faults and the broker, and the ones a redrive adds.</summary>
public static class RedriveHeaders
{
    public const string RedriveCount = "Billing-Redrive-Count";
    public const string RedriveId = "Billing-Redrive-Id";

    // MassTransit 8.4 names (MassTransit.MessageHeaders), checked against real faults in the tests.
    public const string FaultExceptionType = "MT-Fault-ExceptionType";
    public const string FaultMessage = "MT-Fault-Message";
    public const string FaultStackTrace = "MT-Fault-StackTrace";
    public const string FaultTimestamp = "MT-Fault-Timestamp";
    public const string FaultInputAddress = "MT-Fault-InputAddress";
    public const string FaultConsumerType = "MT-Fault-ConsumerType";
    public const string FaultMessageType = "MT-Fault-MessageType";
    public const string FaultRetryCount = "MT-Fault-RetryCount";
    public const string Reason = "MT-Reason";
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
    /// <summary>MassTransit 8 carries the W3C trace context here (traceparent format), in the headers and the envelope.</summary>
    public const string ActivityId = "MT-Activity-Id";
    /// <summary>Added beside the fault headers: which host failed the message.</summary>
    public const string HostPrefix = "MT-Host-";

    /// <summary>Headers that describe the last failure; a replayed message must not carry them into its next life.</summary>
    public static bool IsFailureHeader(string name) =>
        name.StartsWith("MT-Fault-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith(HostPrefix, StringComparison.OrdinalIgnoreCase)
        || name.Equals(Reason, StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("x-death", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("x-first-death-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("x-last-death-", StringComparison.OrdinalIgnoreCase);
}
