namespace Billing.Redrive;

public static class RedriveActions
{
    public const string Redrive = "redrive";
    public const string Archive = "archive";
    public const string Restore = "restore";
    public const string Purge = "purge";
}

public static class RedriveOutcomes
{
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";
}

/// <summary>One row of the audit log. <see cref="FilterJson"/> is the filter as JSON ("{}" for everything).</summary>
public sealed record RedriveAuditEntry(
    Guid Id, string Action, string Queue, string RequestedBy, string FilterJson, bool DryRun, double? Rate,
    long Total, long Moved, long Skipped, long Failed, long Parked, string Outcome, string? Error,
    DateTimeOffset StartedAt, DateTimeOffset FinishedAt);
