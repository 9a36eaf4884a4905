using System.Security.Claims;
using System.Text.Json;
using Billing.Errors;
using Billing.Redrive;

namespace Billing.AdminApi.Endpoints;

/// <summary>
/// Dead-letter queues: list, group, peek, and replay exactly the right messages. Dry runs are planned here; real
/// redrives are queued as jobs for the redrive service. Only _error, _skipped, _parked and _archive queues are accepted.
/// </summary>
public static class DlqEndpoints
{
    private const int MaxPeek = 1000;

    public static void MapDlq(this RouteGroupBuilder read, RouteGroupBuilder write)
    {
        read.MapGet("/api/dlq", ListAsync);
        read.MapGet("/api/dlq/audit", AuditAsync);
        read.MapGet("/api/dlq/jobs/{id:guid}", JobAsync);
        write.MapPost("/api/dlq/jobs/{id:guid}/cancel", CancelAsync);
        read.MapGet("/api/dlq/{queue}/groups", GroupsAsync);
        read.MapGet("/api/dlq/{queue}/messages", MessagesAsync);
        write.MapPost("/api/dlq/{queue}/redrive", RedriveAsync);
        write.MapPost("/api/dlq/{queue}/archive", (string queue, DlqFilterBody? body, ClaimsPrincipal user, Redriver redriver, DeadLetterQueues queues, CancellationToken ct) =>
            MoveAsync(queue, body, user, queues, QueueNames.Archive(queue), (filter, who) => redriver.ArchiveAsync(queue, who, filter, null, ct), ct));
        write.MapPost("/api/dlq/{queue}/restore", (string queue, DlqFilterBody? body, ClaimsPrincipal user, Redriver redriver, DeadLetterQueues queues, CancellationToken ct) =>
            MoveAsync(queue, body, user, queues, QueueNames.Archive(queue), (filter, who) => redriver.RestoreAsync(queue, who, filter, null, ct), ct, source: QueueNames.Archive(queue)));
        write.MapPost("/api/dlq/{queue}/purge", PurgeAsync);
    }

    private static async Task<IResult> ListAsync(DeadLetterQueues queues, CancellationToken ct)
    {
        var list = await queues.ListAsync(ct);
        return Results.Ok(new
        {
            queues = list.Select(q => new
            {
                queue = q.Name,
                kind = q.Kind.ToString().ToLowerInvariant(),
                messages = q.Messages,
                oldest_age_seconds = q.OldestAge is { } age ? Math.Round(age.TotalSeconds, 1) : (double?)null,
                source_queue = q.SourceQueue,
            }),
        });
    }

    private static async Task<IResult> GroupsAsync(string queue, DeadLetterInspector inspector, CancellationToken ct)
    {
        if (NotDeadLetter(queue) is { } bad) return bad;
        try
        {
            var groups = await inspector.GroupAsync(queue, ct);
            return Results.Ok(new { queue, groups = groups.Select(GroupJson) });
        }
        catch (QueueNotFoundException) { return UnknownQueue(queue); }
    }

    private static async Task<IResult> MessagesAsync(string queue, int? limit, DeadLetterInspector inspector, DeadLetterQueues queues, TraceLinks links,
        CancellationToken ct)
    {
        if (NotDeadLetter(queue) is { } bad) return bad;
        if (limit is < 1 or > MaxPeek) return Invalid("limit", $"limit must be between 1 and {MaxPeek}");
        try
        {
            var messages = await inspector.PeekAsync(queue, limit ?? 50, ct);
            // Ready messages after the peek put them back: what a longer peek could show.
            var total = await queues.CountAsync(queue, ct) ?? messages.Count;
            return Results.Ok(new { queue, count = messages.Count, total = Math.Max(total, messages.Count), messages = messages.Select(m => MessageJson(m, links)) });
        }
        catch (QueueNotFoundException) { return UnknownQueue(queue); }
    }

    private static async Task<IResult> RedriveAsync(
        string queue, DlqFilterBody? body, ClaimsPrincipal user, Redriver redriver, DeadLetterQueues queues,
        RedriveAuditStore audit, RedriveJobStore jobs, TimeProvider clock, CancellationToken ct)
    {
        if (NotDeadLetter(queue) is { } bad) return bad;
        body ??= new DlqFilterBody();
        if (body.Validate(forRedrive: true) is { Count: > 0 } errors) return Results.ValidationProblem(errors);
        var filter = body.ToFilter();
        var who = user.Identity?.Name ?? "unknown";
        if (body.DryRun == true)
        {
            var started = clock.GetUtcNow();
            RedrivePlan plan;
            try { plan = await redriver.PlanAsync(queue, filter, body.Limit, ct); }
            catch (QueueNotFoundException) { return UnknownQueue(queue); }
            await audit.InsertAsync(new RedriveAuditEntry(Guid.NewGuid(), RedriveActions.Redrive, queue, who,
                JsonSerializer.Serialize(filter, RedriveJob.FilterJson), true, body.Rate, plan.Total, plan.Moved, plan.Skipped, plan.Failed,
                plan.Parked, RedriveOutcomes.Completed, null, started, clock.GetUtcNow()), ct);
            return Results.Ok(new
            {
                queue, dry_run = true, plan.Total, plan.Examined, plan.Complete, plan.Moved, plan.Skipped, plan.Failed, plan.Parked,
                by_target_queue = plan.ByTargetQueue, groups = plan.ByGroup.Select(GroupJson), missing_queues = plan.MissingQueues,
            });
        }
        if (await queues.CountAsync(queue, ct) is null) return UnknownQueue(queue);
        var id = Guid.NewGuid();
        await jobs.CreateAsync(id, queue, filter, body.Rate, body.BatchSize, body.Limit, who, ct);
        return Results.Accepted($"/api/dlq/jobs/{id}", new { job_id = id, state = RedriveJobStates.Queued, queue });
    }

    private static async Task<IResult> JobAsync(Guid id, RedriveJobStore jobs, CancellationToken ct) =>
        await jobs.GetAsync(id, ct) is { } job ? Results.Ok(JobJson(job)) : UnknownJob(id);

    private static async Task<IResult> CancelAsync(Guid id, RedriveJobStore jobs, CancellationToken ct)
    {
        if (await jobs.RequestCancelAsync(id, ct) is { } job) return Results.Accepted($"/api/dlq/jobs/{id}", JobJson(job));
        return await jobs.GetAsync(id, ct) is { } done
            ? Results.Problem(statusCode: 409, title: $"redrive job {id} has already {done.State}; nothing to cancel")
            : UnknownJob(id);
    }

    private static async Task<IResult> AuditAsync(string? queue, string? limit, string? offset, RedriveAuditStore audit, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        var (take, skip) = Paging.Parse(limit, offset, 100, 10_000, problems);
        if (problems.Count > 0) return Results.ValidationProblem(problems);
        var of = string.IsNullOrWhiteSpace(queue) ? null : queue;
        var entries = await audit.ListAsync(of, take, skip, ct);
        var total = await audit.CountAsync(of, ct);
        return Results.Ok(new
        {
            count = entries.Count,
            total,
            offset = skip,
            next_offset = Paging.Next(skip, entries.Count, total),
            entries = entries.Select(e => new
            {
                e.Id, e.Action, e.Queue, e.RequestedBy, filter = JsonSerializer.Deserialize<JsonElement>(e.FilterJson), e.DryRun, e.Rate,
                e.Total, e.Moved, e.Skipped, e.Failed, e.Parked, e.Outcome, e.Error, e.StartedAt, e.FinishedAt,
            }),
        });
    }

    private static async Task<IResult> MoveAsync(
        string queue, DlqFilterBody? body, ClaimsPrincipal user, DeadLetterQueues queues, string archive,
        Func<RedriveFilter, string, Task<RedriveResult>> move, CancellationToken ct, string? source = null)
    {
        if (NotDeadLetter(queue) is { } bad) return bad;
        if (QueueNames.KindOf(queue) == DeadLetterKind.Archive)
            return Invalid("queue", $"name the dead-letter queue, not its archive: use '{QueueNames.SourceOf(queue)}'");
        body ??= new DlqFilterBody();
        if (body.Validate(forRedrive: false) is { Count: > 0 } errors) return Results.ValidationProblem(errors);
        if (await queues.CountAsync(source ?? queue, ct) is null) return UnknownQueue(source ?? queue);
        var result = await move(body.ToFilter(), user.Identity?.Name ?? "unknown");
        return Results.Ok(new { queue, archive, result.Total, result.Moved, result.Skipped, result.Failed, result.Cancelled });
    }

    private static async Task<IResult> PurgeAsync(string queue, PurgeBody? body, ClaimsPrincipal user, Redriver redriver, CancellationToken ct)
    {
        if (NotDeadLetter(queue) is { } bad) return bad;
        if (string.IsNullOrEmpty(body?.ConfirmQueue)) return Invalid("confirm_queue", "repeat the queue name to confirm the purge");
        if (body.ConfirmQueue != queue) return Invalid("confirm_queue", $"'{body.ConfirmQueue}' does not repeat the queue name '{queue}'; nothing was purged");
        if (body.ExpectedCount is not > 0) return Invalid("expected_count", "give the number of messages you saw in the queue (at least 1)");
        try
        {
            var purged = await redriver.PurgeAsync(queue, body.ConfirmQueue, body.ExpectedCount.Value, user.Identity?.Name ?? "unknown", ct);
            return Results.Ok(new { queue, purged });
        }
        catch (QueueNotFoundException) { return UnknownQueue(queue); }
        catch (PurgeRefusedException e) { return Invalid("expected_count", e.Message); }
    }

    private static IResult? NotDeadLetter(string queue) =>
        QueueNames.KindOf(queue) is null
            ? Invalid("queue", $"'{queue}' is not a dead-letter queue; only _error, _skipped, _parked and _archive queues are accepted")
            : null;

    private static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static IResult UnknownQueue(string queue) =>
        Results.Problem(statusCode: 404, title: $"queue '{queue}' does not exist");

    private static IResult UnknownJob(Guid id) =>
        Results.Problem(statusCode: 404, title: $"redrive job {id} does not exist");

    private static object GroupJson(MessageGroup g) => new
    {
        group_id = g.Key.Id, exception_type = g.Key.ExceptionType, message_type = g.Key.MessageType, first_frame = g.Key.FirstFrame,
        count = g.Count, first_seen = g.FirstSeen, last_seen = g.LastSeen, sample_reason = g.SampleReason, sample_message_id = g.SampleMessageId,
    };

    private static object MessageJson(DeadLetterMessage m, TraceLinks links) => new
    {
        message_id = m.MessageId, message_type = m.MessageType, exception_type = m.ExceptionType, fault_reason = m.FaultReason,
        first_frame = m.Group.FirstFrame, stack_trace = m.StackTrace, retry_count = m.RetryCount, faulted_at = m.FaultedAt,
        sent_at = m.SentAt, original_queue = m.OriginalQueue, consumer_type = m.ConsumerType, business_keys = m.BusinessKeys,
        trace_id = m.TraceId, trace_url = links.For(m.TraceId), redrive_count = m.RedriveCount, group_id = m.Group.Id, correlation_id = m.CorrelationId,
        conversation_id = m.ConversationId, body_size = m.BodySize,
    };

    private static object JobJson(RedriveJob j) => new
    {
        job_id = j.Id, queue = j.Queue, filter = j.Filter, rate = j.Rate, batch_size = j.BatchSize, limit = j.Limit,
        requested_by = j.RequestedBy, state = j.State, cancel_requested = j.CancelRequested, total = j.Total, moved = j.Moved,
        skipped = j.Skipped, failed = j.Failed, parked = j.Parked, attempts = j.Attempts, created_at = j.CreatedAt,
        started_at = j.StartedAt, completed_at = j.CompletedAt, error = j.Error,
    };
}

/// <summary>Which messages (every criterion given must match) and, for a redrive, how fast. Nothing given means nothing, unless <c>all</c>.</summary>
public sealed record DlqFilterBody
{
    public IReadOnlyList<string>? MessageIds { get; init; }
    public string? GroupId { get; init; }
    public string? ExceptionType { get; init; }
    public string? MessageType { get; init; }
    public string? BusinessKey { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public bool? All { get; init; }
    public double? Rate { get; init; }
    public int? BatchSize { get; init; }
    public int? Limit { get; init; }
    public bool? DryRun { get; init; }

    public RedriveFilter ToFilter() => new()
    {
        MessageIds = MessageIds, GroupId = GroupId, ExceptionType = ExceptionType, MessageType = MessageType,
        BusinessKey = BusinessKey, From = From, To = To,
    };

    public Dictionary<string, string[]> Validate(bool forRedrive)
    {
        var errors = new Dictionary<string, string[]>();
        if (forRedrive)
        {
            if (Rate is { } rate && (double.IsNaN(rate) || rate <= 0 || rate > 1_000_000))
                errors["rate"] = ["rate must be between 0 (exclusive) and 1000000 messages per second; leave it out for unthrottled"];
            if (BatchSize is < 1 or > 10_000) errors["batch_size"] = ["batch_size must be between 1 and 10000"];
            if (Limit is < 1) errors["limit"] = ["limit must be at least 1"];
        }
        var filter = ToFilter();
        try
        {
            filter.Validate();
        }
        catch (ArgumentException e)
        {
            errors[FieldOf(e.ParamName)] = [e.Message.Split(" (Parameter", 2)[0]];
        }
        if (filter.IsEmpty && All != true && !errors.ContainsKey("message_ids"))
            errors["all"] = ["the filter is empty: give message_ids, group_id, exception_type, message_type, business_key, from or to, or set all: true to take every message"];
        return errors;
    }

    private static string FieldOf(string? param) => param switch
    {
        nameof(MessageIds) => "message_ids",
        nameof(BusinessKey) => "business_key",
        nameof(From) => "from",
        nameof(To) => "to",
        _ => "filter",
    };
}

public sealed record PurgeBody(string? ConfirmQueue, long? ExpectedCount);
