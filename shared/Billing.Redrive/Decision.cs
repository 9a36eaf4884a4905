namespace Billing.Redrive;

internal enum RouteKind { Deliver, Park, Keep, Move }

/// <summary>Where one message goes; shared by the plan and the real run so a dry run reports what the run will do.</summary>
internal readonly record struct Decision(RouteKind Kind, string Queue)
{
    public static Decision ForRedrive(DeadLetterMessage message, string source, RedriveFilter filter, int maxRedriveCount)
    {
        if (!filter.Matches(message)) return new(RouteKind.Keep, source);
        // Redriving the parking queue itself is an operator's explicit "one more try", so the limit does not apply there.
        var fromParked = QueueNames.KindOf(source) == DeadLetterKind.Parked;
        return !fromParked && message.RedriveCount >= maxRedriveCount
            ? new(RouteKind.Park, QueueNames.Parked(message.OriginalQueue))
            : new(RouteKind.Deliver, message.OriginalQueue);
    }
}
