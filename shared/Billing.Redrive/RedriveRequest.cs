namespace Billing.Redrive;

/// <summary>Replay the messages of one dead-letter queue matching <see cref="Filter"/> back to the queues they failed on.</summary>
public sealed record RedriveRequest(string Queue, string RequestedBy)
{
    public RedriveFilter Filter { get; init; } = RedriveFilter.All;
    /// <summary>Messages per second to the consumer queues; null uses <see cref="RedriveOptions.DefaultRate"/> (null there = unthrottled).</summary>
    public double? Rate { get; init; }
    /// <summary>Window of outstanding publisher confirms; null uses <see cref="RedriveOptions.BatchSize"/>.</summary>
    public int? BatchSize { get; init; }
    /// <summary>Only examine and report what would happen.</summary>
    public bool DryRun { get; init; }
    /// <summary>Stop after this many messages were moved or parked; null = all matching.</summary>
    public int? Limit { get; init; }

    internal void Validate()
    {
        QueueNames.RequireDeadLetter(Queue, nameof(Queue));
        if (string.IsNullOrWhiteSpace(RequestedBy)) throw new ArgumentException("RequestedBy names who asked for the redrive.", nameof(RequestedBy));
        if (Rate is <= 0 or > 1_000_000) throw new ArgumentOutOfRangeException(nameof(Rate), "Rate must be between 0 (exclusive) and 1000000 msg/s.");
        if (BatchSize is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(BatchSize), "BatchSize must be between 1 and 10000.");
        if (Limit is < 1) throw new ArgumentOutOfRangeException(nameof(Limit), "Limit must be positive.");
        Filter.Validate();
    }
}

/// <summary>Reported after every batch.</summary>
public sealed record RedriveProgress(Guid RedriveId, long Total, long Processed, long Moved, long Skipped, long Failed, long Parked, TimeSpan Elapsed)
{
    /// <summary>Messages moved or parked per second so far.</summary>
    public double Rate => Elapsed > TimeSpan.Zero ? (Moved + Parked) / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Outcome of a redrive, archive or restore. Moved: delivered to the target queue. Skipped: did not match, left in the
/// dead-letter queue. Failed: matched but could not be delivered (e.g. target queue missing), left in the dead-letter queue.
/// Parked: redriven too often, moved to the parking queue.
/// </summary>
public sealed record RedriveResult(Guid RedriveId, string Queue, bool DryRun, long Total, long Moved, long Skipped, long Failed, long Parked, bool Cancelled, TimeSpan Elapsed)
{
    public double Rate => Elapsed > TimeSpan.Zero ? (Moved + Parked) / Elapsed.TotalSeconds : 0;
}

/// <summary>What a redrive would do, computed from a peek of the whole queue (up to <see cref="RedriveOptions.PeekLimit"/>).</summary>
public sealed record RedrivePlan(
    string Queue, long Total, long Examined, long Moved, long Skipped, long Failed, long Parked,
    IReadOnlyDictionary<string, long> ByTargetQueue, IReadOnlyList<MessageGroup> ByGroup, IReadOnlyList<string> MissingQueues)
{
    /// <summary>False when the queue held more than the peek limit, so the numbers cover only its head.</summary>
    public bool Complete => Examined >= Total;
}
