using Microsoft.AspNetCore.Http.HttpResults;
using System.Security.Claims;
using Billing.Api.Contracts;
using Billing.Contracts;
using Billing.Invoicing;
using Billing.Invoicing.Infrastructure;
using Billing.Vocabulary;
using MassTransit;
using Npgsql;

namespace Billing.AdminApi.Endpoints;

/// <summary>The monthly run: start, progress per stage, failed requests and their retry.</summary>
public static class RunEndpoints
{
    private const int MaxFailuresListed = 1000;
    private const int PreviewFailuresListed = 100;

    public static void MapRunEndpoints(this RouteGroupBuilder read, RouteGroupBuilder write)
    {
        var r = read.MapGroup("/api/runs").WithTags("Runs");
        var w = write.MapGroup("/api/runs").WithTags("Runs");
        w.MapPost("", StartAsync).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Start the monthly run of a period that has ended");
        // Writes nothing, but prices every account: as costly as a run's reads, so operators only.
        w.MapPost("/preview", PreviewAsync).WithSummary("What a run of the period would issue now; writes nothing");
        r.MapGet("", ListAsync).WithSummary("Runs, newest first, a page at a time");
        r.MapGet("/{id:guid}", GetAsync).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Progress of a run and what of it still needs an operator");
        w.MapPost("/{id:guid}/retry-failed", RetryFailedAsync).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Send the failed requests of a run again");
        w.MapPost("/{id:guid}/cancel", CancelAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Stop issuing invoices; those issued finish their PDF, email and ledger");
    }

    /// <summary>The period a run may be started (or previewed) for, or the 400 naming <c>period</c>.</summary>
    private static ValidationProblem? CheckPeriod(StartRunRequest? body, TimeProvider time, out BillingPeriod period) =>
        RunOperations.PeriodProblem(body?.Period, time, out period) is { } problem ? Invalid("period", problem) : null;

    private static async Task<Results<Accepted<RunAccepted>, ValidationProblem, ProblemHttpResult>> StartAsync(StartRunRequest? body, NpgsqlDataSource db, IPublishEndpoint bus,
        TimeProvider time, ClaimsPrincipal user, CancellationToken ct)
    {
        if (CheckPeriod(body, time, out var period) is { } invalid) return invalid;
        var started = await RunOperations.StartAsync(period, user.Identity?.Name, db, bus, time, ct);
        if (started.RunId is not { } id) return Conflict("period", started.ConflictTitle!, started.ConflictDetail!);
        return TypedResults.Accepted($"/api/runs/{id}", new RunAccepted(id));
    }

    /// <summary>What a run of the period would issue now, computed as the generator computes it; writes nothing.</summary>
    private static async Task<Results<Ok<RunPreviewResponse>, ValidationProblem>> PreviewAsync(StartRunRequest? body, RunPreviewQuery preview, TimeProvider time, CancellationToken ct)
    {
        if (CheckPeriod(body, time, out var period) is { } invalid) return invalid;
        var p = await preview.PreviewAsync(period, PreviewFailuresListed, ct);
        return TypedResults.Ok(new RunPreviewResponse(
            p.Period, p.BillableAccounts, p.Invoices, p.AlreadyInvoiced, p.Skipped,
            new PreviewFailing(p.FailingAccounts, p.FailingByReason,
                p.Failures.Select(f => new Billing.Api.Contracts.PreviewFailure(f.AccountId, f.Reason, f.Detail)).ToList(),
                p.FailingAccounts > p.Failures.Count),
            p.Totals.Select(t => new PreviewTotal(
                t.Currency, t.Invoices, t.TotalMinor, Major(t.TotalMinor, t.Currency), t.PreviousInvoices, t.PreviousTotalMinor,
                t.TotalMinor - t.PreviousTotalMinor,
                t.PreviousTotalMinor is > 0 and var before
                    ? Math.Round((t.TotalMinor - before) * 100m / before, 1, MidpointRounding.AwayFromZero).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)
                    : null)).ToList(),
            new PreviousRunRef(p.PreviousPeriod, p.PreviousRunId),
            (long)p.Elapsed.TotalMilliseconds));
    }

    private static string Major(long minor, string currency) => MoneyText.Plain(minor, currency);

    private static async Task<Results<Ok<RunPage>, ValidationProblem>> ListAsync(string? period, string? limit, string? offset, NpgsqlDataSource db, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        if (period is not null && !BillingPeriod.TryParse(period, out _))
            problems["period"] = [$"'{period}' is not a period; expected yyyy-MM such as 2026-10"];
        var (take, skip) = Paging.Parse(limit, offset, 100, 1000, problems);
        if (problems.Count > 0) return TypedResults.ValidationProblem(problems);
        var (runs, total) = await new RunStore(db).ListAsync(period, take, skip, ct);
        return TypedResults.Ok(new RunPage(runs.Count, total, skip, Paging.Next(skip, runs.Count, total), runs.Select(r => r.ToResponse()).ToList()));
    }

    /// <summary>
    /// Progress, and what of the run still needs an operator: open failures per stage and the run's messages in
    /// dead-letter queues (read from the broker), each with the command to run next; <c>summary</c> says the status in
    /// words ("completed, 219 superseded dead letters to archive"), <c>history</c> every status change with its reason.
    /// </summary>
    private static async Task<Results<Ok<RunStatusResponse>, ProblemHttpResult>> GetAsync(Guid id, bool? failed, NpgsqlDataSource db, RunDeadLetterQuery deadLetters,
        ILoggerFactory logs, CancellationToken ct)
    {
        var query = new RunProgressQuery(db);
        var p = await query.GetAsync(id, ct);
        if (p is null) return TypedResults.Problem(statusCode: 404, title: $"run {id} not found");
        var failures = failed == true ? await query.OpenFailuresAsync(id, MaxFailuresListed, ct) : null;
        var byStage = await query.OpenFailuresByStageAsync(id, ct);
        var (letters, deadLetterError) = await RunOperations.DeadLettersAsync(p.Run, deadLetters, logs, ct);
        var (verdict, summary) = RunOperations.Summarise(p, byStage, letters, deadLetterError);
        var history = await new RunStore(db).HistoryAsync(id, ct);
        return TypedResults.Ok(new RunStatusResponse(
            p.Run.ToResponse(),
            summary,
            verdict.Attention.Select(a => new RunAttention(a.Kind, a.Stage, a.Count, a.Queue, a.Reason, a.Command)).ToList(),
            verdict.Attention.Select(a => a.Command).Distinct().ToList(),
            byStage.GroupBy(f => f.Stage).ToDictionary(g => g.Key, g => g.Sum(f => f.Count)),
            letters is null ? null : new RunDeadLetterSummary(letters.Total, letters.Pending, letters.Superseded, letters.Truncated,
                letters.Queues.Select(q => new Billing.Api.Contracts.RunDeadLetterQueue(
                    q.Queue, q.SourceQueue, q.MessageType, q.Stage, q.Messages, q.Pending, q.Superseded)).ToList()),
            history.Select(h => new Billing.Api.Contracts.RunStatusChange(h.FromStatus, h.ToStatus, h.Reason, h.ChangedAt)).ToList(),
            new RunCounts(p.Accounts, p.Generated, p.Rendered, p.Emailed, p.Synced, p.PushedToStripe, p.Skipped, p.Failed, p.NotIssued),
            p.InvoicesPerSecond,
            p.EtaSeconds,
            p.Totals.Select(t => new RunTotal(t.Currency, t.Invoices, t.TotalMinor)).ToList(),
            failures?.Select(f => new RunFailure(f.Id, f.AccountId, f.InvoiceId, f.Stage, f.MessageType, f.InputQueue, f.ExceptionType,
                f.Reason, f.TraceId, f.FailedAt)).ToList()));
    }

    /// <summary>
    /// Stops issuing invoices: requests still queued are refused by the generator (nothing stored, no number taken);
    /// invoices issued before finish their PDF, email and ledger, then the run is cancelled.
    /// </summary>
    private static async Task<Results<Accepted<RunCancelAccepted>, ProblemHttpResult>> CancelAsync(Guid id, NpgsqlDataSource db, ClaimsPrincipal user, CancellationToken ct)
    {
        var (outcome, run) = await new RunStore(db).CancelAsync(id, user.Identity?.Name, ct);
        if (outcome == CancelOutcome.NotFound) return TypedResults.Problem(statusCode: 404, title: $"run {id} not found");
        if (outcome == CancelOutcome.AlreadyOver)
            return TypedResults.Problem(statusCode: 409, title: run!.Status == RunStatus.Completed
                ? $"run {id} is already completed; nothing to cancel"
                : $"run {id} is already {run.Status}");
        return TypedResults.Accepted($"/api/runs/{id}", new RunCancelAccepted(id, run!.Status, run.CancelledAt));
    }

    private static async Task<Results<Accepted<RetryAccepted>, ProblemHttpResult>> RetryFailedAsync(Guid id, NpgsqlDataSource db, IPublishEndpoint publish,
        ISendEndpointProvider send, ClaimsPrincipal user, CancellationToken ct)
    {
        var retried = await RunOperations.RetryFailedAsync(id, user.Identity?.Name ?? "operator", db, publish, send, ct);
        if (retried is not var (count, byStage)) return TypedResults.Problem(statusCode: 404, title: $"run {id} not found");
        return TypedResults.Accepted($"/api/runs/{id}", new RetryAccepted(id, count, byStage));
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>409 whose title says what the request clashes with; <c>errors</c> names the field as a 400 would.</summary>
    private static ProblemHttpResult Conflict(string field, string title, string message) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: message,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });
}
