using Microsoft.AspNetCore.Http.HttpResults;
using System.Security.Claims;
using Billing.Api.Contracts;
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

    public static void MapDlqEndpoints(this RouteGroupBuilder read, RouteGroupBuilder write)
    {
        var r = read.MapGroup("/api/dlq").WithTags("Dead letters");
        var w = write.MapGroup("/api/dlq").WithTags("Dead letters");
        r.MapGet("", ListAsync).WithSummary("Every dead-letter queue with its depth and oldest message");
        r.MapGet("/audit", AuditAsync).WithSummary("Redrives, archives, restores and purges done, newest first");
        r.MapGet("/jobs/{id:guid}", JobAsync).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("A redrive job");
        w.MapPost("/jobs/{id:guid}/cancel", CancelAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Ask a redrive job to stop");
        r.MapGet("/{queue}/groups", GroupsAsync).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("The messages of a queue grouped by cause");
        r.MapGet("/{queue}/messages", MessagesAsync).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Peek at the messages of a queue (they stay)");
        w.MapPost("/{queue}/redrive", RedriveAsync).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Send the messages a filter picks back to their queues (a job), or plan it with dry_run");
        w.MapPost("/{queue}/archive", async Task<Results<Ok<DlqMoveResponse>, ValidationProblem, ProblemHttpResult>> (string queue, DlqFilterRequest? body, ClaimsPrincipal user, Redriver redriver, DeadLetterQueues queues, CancellationToken ct) =>
            await MoveAsync(queue, body, user, queues, QueueNames.Archive(queue), (filter, who) => redriver.ArchiveAsync(queue, who, filter, null, ct), ct))
            .ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Move the messages a filter picks to the queue's archive");
        w.MapPost("/{queue}/restore", async Task<Results<Ok<DlqMoveResponse>, ValidationProblem, ProblemHttpResult>> (string queue, DlqFilterRequest? body, ClaimsPrincipal user, Redriver redriver, DeadLetterQueues queues, CancellationToken ct) =>
            await MoveAsync(queue, body, user, queues, QueueNames.Archive(queue), (filter, who) => redriver.RestoreAsync(queue, who, filter, null, ct), ct, source: QueueNames.Archive(queue)))
            .ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Move the messages a filter picks back from the archive");
        w.MapPost("/{queue}/purge", PurgeAsync).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Delete every message of a queue, confirmed by its name and count");
    }

    private static async Task<Ok<DlqQueueList>> ListAsync(DeadLetterQueues queues, CancellationToken ct)
    {
        var list = await queues.ListAsync(ct);
        return TypedResults.Ok(new DlqQueueList(list.Select(q => new DlqQueue(
            q.Name, q.Kind.ToString().ToLowerInvariant(), q.Messages,
            q.OldestAge is { } age ? Math.Round(age.TotalSeconds, 1) : null, q.SourceQueue)).ToList()));
    }

    private static async Task<Results<Ok<DlqGroupList>, ValidationProblem, ProblemHttpResult>> GroupsAsync(string queue, DeadLetterInspector inspector, CancellationToken ct)
    {
        if (NotDeadLetter(queue) is { } bad) return bad;
        try
        {
            var groups = await inspector.GroupAsync(queue, ct);
            return TypedResults.Ok(new DlqGroupList(queue, groups.Select(g => g.ToResponse()).ToList()));
        }
        catch (QueueNotFoundException) { return UnknownQueue(queue); }
    }

    private static async Task<Results<Ok<DlqMessageList>, ValidationProblem, ProblemHttpResult>> MessagesAsync(string queue, int? limit, DeadLetterInspector inspector, DeadLetterQueues queues, TraceLinks links,
        CancellationToken ct)
    {
        if (NotDeadLetter(queue) is { } bad) return bad;
        if (limit is < 1 or > MaxPeek) return Invalid("limit", $"limit must be between 1 and {MaxPeek}");
        try
        {
            var messages = await inspector.PeekAsync(queue, limit ?? 50, ct);
            // Ready messages after the peek put them back: what a longer peek could show.
            var total = await queues.CountAsync(queue, ct) ?? messages.Count;
            return TypedResults.Ok(new DlqMessageList(queue, messages.Count, Math.Max(total, messages.Count), messages.Select(m => m.ToResponse(links)).ToList()));
        }
        catch (QueueNotFoundException) { return UnknownQueue(queue); }
    }

    private static async Task<Results<Ok<RedrivePlanResponse>, Accepted<RedriveQueued>, ValidationProblem, ProblemHttpResult>> RedriveAsync(
        string queue, DlqFilterRequest? body, ClaimsPrincipal user, Redriver redriver, DeadLetterQueues queues,
        RedriveAuditStore audit, RedriveJobStore jobs, TimeProvider clock, CancellationToken ct)
    {
        if (NotDeadLetter(queue) is { } bad) return bad;
        body ??= new DlqFilterRequest();
        if (body.Validate(forRedrive: true) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var who = user.Identity?.Name ?? "unknown";
        if (body.DryRun == true)
        {
            RedrivePlan plan;
            try { plan = await DlqOperations.DryRunAsync(queue, body, who, redriver, audit, clock, ct); }
            catch (QueueNotFoundException) { return UnknownQueue(queue); }
            return TypedResults.Ok(new RedrivePlanResponse(queue, true, plan.Total, plan.Examined, plan.Complete, plan.Moved, plan.Skipped,
                plan.Failed, plan.Parked, plan.ByTargetQueue, plan.ByGroup.Select(g => g.ToResponse()).ToList(), plan.MissingQueues));
        }
        if (await DlqOperations.QueueJobAsync(queue, body, who, queues, jobs, ct) is not { } id) return UnknownQueue(queue);
        return TypedResults.Accepted($"/api/dlq/jobs/{id}", new RedriveQueued(id, RedriveJobStates.Queued, queue));
    }

    private static async Task<Results<Ok<RedriveJobResponse>, ProblemHttpResult>> JobAsync(Guid id, RedriveJobStore jobs, CancellationToken ct) =>
        await jobs.GetAsync(id, ct) is { } job ? TypedResults.Ok(job.ToResponse()) : UnknownJob(id);

    private static async Task<Results<Accepted<RedriveJobResponse>, ProblemHttpResult>> CancelAsync(Guid id, RedriveJobStore jobs, CancellationToken ct)
    {
        if (await jobs.RequestCancelAsync(id, ct) is { } job) return TypedResults.Accepted($"/api/dlq/jobs/{id}", job.ToResponse());
        return await jobs.GetAsync(id, ct) is { } done
            ? TypedResults.Problem(statusCode: 409, title: $"redrive job {id} has already {done.State}; nothing to cancel")
            : UnknownJob(id);
    }

    private static async Task<Results<Ok<DlqAuditPage>, ValidationProblem>> AuditAsync(string? queue, string? limit, string? offset, RedriveAuditStore audit, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        var (take, skip) = Paging.Parse(limit, offset, 100, 10_000, problems);
        if (problems.Count > 0) return TypedResults.ValidationProblem(problems);
        var of = string.IsNullOrWhiteSpace(queue) ? null : queue;
        var entries = await audit.ListAsync(of, take, skip, ct);
        var total = await audit.CountAsync(of, ct);
        return TypedResults.Ok(new DlqAuditPage(entries.Count, total, skip, Paging.Next(skip, entries.Count, total),
            entries.Select(e => e.ToResponse()).ToList()));
    }

    private static async Task<Results<Ok<DlqMoveResponse>, ValidationProblem, ProblemHttpResult>> MoveAsync(
        string queue, DlqFilterRequest? body, ClaimsPrincipal user, DeadLetterQueues queues, string archive,
        Func<RedriveFilter, string, Task<RedriveResult>> move, CancellationToken ct, string? source = null)
    {
        if (NotDeadLetter(queue) is { } bad) return bad;
        if (DlqOperations.IsArchive(queue) is { } archived) return Invalid(archived);
        body ??= new DlqFilterRequest();
        if (body.Validate(forRedrive: false) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (await queues.CountAsync(source ?? queue, ct) is null) return UnknownQueue(source ?? queue);
        var result = await move(body.ToFilter(), user.Identity?.Name ?? "unknown");
        return TypedResults.Ok(new DlqMoveResponse(queue, archive, result.Total, result.Moved, result.Skipped, result.Failed, result.Cancelled));
    }

    private static async Task<Results<Ok<PurgeResponse>, ValidationProblem, ProblemHttpResult>> PurgeAsync(string queue, PurgeRequest? body, ClaimsPrincipal user, Redriver redriver, CancellationToken ct)
    {
        if (NotDeadLetter(queue) is { } bad) return bad;
        if (DlqOperations.PurgeProblem(queue, body?.ConfirmQueue, body?.ExpectedCount) is { } refused) return Invalid(refused);
        try
        {
            var purged = await redriver.PurgeAsync(queue, body!.ConfirmQueue!, body.ExpectedCount!.Value, user.Identity?.Name ?? "unknown", ct);
            return TypedResults.Ok(new PurgeResponse(queue, purged));
        }
        catch (QueueNotFoundException) { return UnknownQueue(queue); }
        catch (PurgeRefusedException e) { return Invalid("expected_count", e.Message); }
    }

    private static ValidationProblem? NotDeadLetter(string queue) =>
        DlqOperations.NotDeadLetter(queue) is { } problem ? Invalid(problem) : null;

    private static ValidationProblem Invalid(DlqProblem problem) => Invalid(problem.Field, problem.Message);

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static ProblemHttpResult UnknownQueue(string queue) =>
        TypedResults.Problem(statusCode: 404, title: $"queue '{queue}' does not exist");

    private static ProblemHttpResult UnknownJob(Guid id) =>
        TypedResults.Problem(statusCode: 404, title: $"redrive job {id} does not exist");
}
