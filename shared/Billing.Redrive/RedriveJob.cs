using System.Text.Json;
using System.Text.Json.Serialization;

namespace Billing.Redrive;

public static class RedriveJobStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";

    public static bool IsFinished(string state) => state is Completed or Cancelled or Failed;
}

/// <summary>A redrive asked for through the admin API and run by the redrive service (table redrive_jobs, migration 0012).</summary>
public sealed record RedriveJob(
    Guid Id, string Queue, RedriveFilter Filter, double? Rate, int? BatchSize, int? Limit, string RequestedBy,
    string State, bool CancelRequested, long Total, long Moved, long Skipped, long Failed, long Parked, int Attempts,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string? Error)
{
    /// <summary>How filters are stored (redrive_jobs.filter, redrive_audit.filter): camelCase, nulls left out.</summary>
    public static readonly JsonSerializerOptions FilterJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The request the service runs; on a resumed job the limit is what is left of it.</summary>
    public RedriveRequest ToRequest() => new(Queue, RequestedBy)
    {
        Filter = Filter,
        Rate = Rate,
        BatchSize = BatchSize,
        Limit = Limit is { } limit ? (int)Math.Max(1, limit - Moved - Parked) : null,
    };
}
