using System.Text.Json;
using Billing.Api.Contracts;
using Billing.Redrive;

namespace Billing.AdminApi.Endpoints;

/// <summary>A refusal of a dead-letter request: the field at fault and why.</summary>
public sealed record DlqProblem(string Field, string Message);

/// <summary>
/// What <c>/api/dlq</c> and the console's dead-letter pages share: which queues are accepted, the dry run with its audit
/// row, queueing a redrive job, and the checks of a purge, so that both refuse and record the same way.
/// </summary>
public static class DlqOperations
{
    /// <summary>Why <paramref name="queue"/> is not accepted at all (field <c>queue</c>); null for a dead-letter queue.</summary>
    public static DlqProblem? NotDeadLetter(string queue) =>
        QueueNames.KindOf(queue) is null
            ? new("queue", $"'{queue}' is not a dead-letter queue; only _error, _skipped, _parked and _archive queues are accepted")
            : null;

    /// <summary>Why an archive or restore cannot name <paramref name="queue"/>: it is an archive itself.</summary>
    public static DlqProblem? IsArchive(string queue) =>
        QueueNames.KindOf(queue) == DeadLetterKind.Archive
            ? new("queue", $"name the dead-letter queue, not its archive: use '{QueueNames.SourceOf(queue)}'")
            : null;

    /// <summary>Plans the redrive of a checked request and records the dry run in the audit log as <paramref name="who"/>.</summary>
    /// <exception cref="QueueNotFoundException">the queue does not exist.</exception>
    public static async Task<RedrivePlan> DryRunAsync(string queue, DlqFilterRequest body, string who, Redriver redriver, RedriveAuditStore audit,
        TimeProvider clock, CancellationToken ct)
    {
        var filter = body.ToFilter();
        var started = clock.GetUtcNow();
        var plan = await redriver.PlanAsync(queue, filter, body.Limit, ct);
        await audit.InsertAsync(new RedriveAuditEntry(Guid.NewGuid(), RedriveActions.Redrive, queue, who,
            JsonSerializer.Serialize(filter, RedriveJob.FilterJson), true, body.Rate, plan.Total, plan.Moved, plan.Skipped, plan.Failed,
            plan.Parked, RedriveOutcomes.Completed, null, started, clock.GetUtcNow()), ct);
        return plan;
    }

    /// <summary>Queues a checked redrive request as a job for the redrive service; null when the queue does not exist.</summary>
    public static async Task<Guid?> QueueJobAsync(string queue, DlqFilterRequest body, string who, DeadLetterQueues queues, RedriveJobStore jobs,
        CancellationToken ct)
    {
        if (await queues.CountAsync(queue, ct) is null) return null;
        var id = Guid.NewGuid();
        await jobs.CreateAsync(id, queue, body.ToFilter(), body.Rate, body.BatchSize, body.Limit, who, ct);
        return id;
    }

    /// <summary>Why a purge of <paramref name="queue"/> confirmed by <paramref name="confirmQueue"/> and <paramref name="expectedCount"/> is refused before the broker is asked.</summary>
    public static DlqProblem? PurgeProblem(string queue, string? confirmQueue, long? expectedCount)
    {
        if (string.IsNullOrEmpty(confirmQueue)) return new("confirm_queue", "repeat the queue name to confirm the purge");
        if (confirmQueue != queue) return new("confirm_queue", $"'{confirmQueue}' does not repeat the queue name '{queue}'; nothing was purged");
        if (expectedCount is not > 0) return new("expected_count", "give the number of messages you saw in the queue (at least 1)");
        return null;
    }
}
