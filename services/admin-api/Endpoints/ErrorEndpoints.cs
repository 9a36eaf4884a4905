using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json;
using Billing.Api.Contracts;
using Billing.Errors.Infrastructure;
using Billing.Errors;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Billing.AdminApi.Endpoints;

/// <summary>The revenue-impacting error log, one group per cause: list (paged), show with what it hit, move through
/// its states one group or a whole filter at once, summaries as Markdown.</summary>
public static class ErrorEndpoints
{
    private const int MaxLimit = 1000;
    private const int AffectedShown = 20;
    private static readonly Dictionary<string, string> Kinds = new() { ["invoice"] = "invoices", ["account"] = "accounts", ["run"] = "runs", ["key"] = "keys" };

    public static void MapErrorEndpoints(this RouteGroupBuilder read, RouteGroupBuilder write)
    {
        var r = read.MapGroup("/api/errors").WithTags("Errors");
        var w = write.MapGroup("/api/errors").WithTags("Errors");
        r.MapGet("", ListAsync).WithSummary("Error groups, most recent first, a page at a time");
        r.MapGet("/summary", SummaryAsync).Produces<string>(StatusCodes.Status200OK, "text/markdown")
            .WithSummary("The daily or weekly summary as Markdown");
        r.MapGet("/{id:long}", GetAsync).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("An error group with what it hit");
        r.MapGet("/{id:long}/affected", AffectedAsync).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The invoices, accounts, runs or keys an error group hit, a page at a time");
        w.MapPatch("/{id:long}", PatchAsync).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Move an error group to another state, add notes or an issue link");
        w.MapPost("/bulk", BulkAsync).WithSummary("One change to every error group a filter matches, all or nothing");
    }

    private static async Task<Results<Ok<ErrorPage>, ValidationProblem>> ListAsync(NpgsqlDataSource db, TraceLinks links, string? status, string? run_id, string? type, string? service,
        string? message_type, string? limit, string? offset, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        var filter = ParseFilter(problems, null, status, service, type, message_type, run_id);
        var take = 100;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, out take) || take < 1 || take > MaxLimit))
            problems["limit"] = [$"limit must be a whole number from 1 to {MaxLimit}, got '{limit}'"];
        var skip = 0;
        if (!string.IsNullOrEmpty(offset) && (!int.TryParse(offset, out skip) || skip < 0))
            problems["offset"] = [$"offset must be a whole number from 0, got '{offset}'"];
        if (problems.Count > 0) return TypedResults.ValidationProblem(problems);

        var store = new PostgresErrorStore(db);
        var query = filter with { Limit = take, Offset = skip };
        var rows = await store.ListAsync(query, ct);
        var total = await store.CountAsync(query, ct);
        var affected = await store.AffectedCountsAsync(rows.Select(r => r.Id).ToList(), ct);
        var next = skip + rows.Count < total ? skip + rows.Count : (int?)null;
        return TypedResults.Ok(new ErrorPage(rows.Count, total, skip, next,
            rows.Select(r => r.ToSummary(affected.GetValueOrDefault(r.Id, AffectedCounts.None), links)).ToList()));
    }

    /// <summary>The filter of a list or bulk change from its wire fields; problems are added under the field's name.</summary>
    private static ErrorQuery ParseFilter(Dictionary<string, string[]> problems, List<long>? ids, string? status, string? service,
        string? type, string? messageType, string? runId)
    {
        ErrorStatus? statusFilter = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (ErrorStatuses.TryParse(status, out var s)) statusFilter = s;
            else problems["status"] = [ErrorStatuses.UnknownMessage(status)];
        }
        Guid? run = null;
        if (!string.IsNullOrEmpty(runId))
        {
            if (Guid.TryParse(runId, out var r)) run = r;
            else problems["run_id"] = [$"run_id must be a UUID, got '{runId}'"];
        }
        static string? Text(string? v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();
        return new ErrorQuery(statusFilter, run, Text(type), Service: Text(service), MessageType: Text(messageType), Ids: ids);
    }

    private static async Task<Results<Ok<ErrorDetail>, ProblemHttpResult>> GetAsync(long id, NpgsqlDataSource db, TraceLinks links, CancellationToken ct)
    {
        var store = new PostgresErrorStore(db);
        var row = await store.GetAsync(id, ct);
        if (row is null) return NotFound(id);
        var counts = (await store.AffectedCountsAsync([id], ct)).GetValueOrDefault(id, AffectedCounts.None);
        var lists = new Dictionary<string, AffectedList>();
        foreach (var (kind, plural) in Kinds)
        {
            var (total, items) = await store.AffectedAsync(id, kind, AffectedShown, 0, ct);
            lists[plural] = new AffectedList(total, items.Select(i => i.ToResponse()).ToList());
        }
        var affected = new ErrorAffected(lists["invoices"], lists["accounts"], lists["runs"], lists["keys"]);
        return TypedResults.Ok(row.ToDetail(counts, affected, links));
    }

    private static async Task<Results<Ok<AffectedPage>, ValidationProblem, ProblemHttpResult>> AffectedAsync(long id, string? kind, string? limit, string? offset, NpgsqlDataSource db, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        if (kind is null || !Kinds.ContainsKey(kind))
            problems["kind"] = [$"kind must be one of {string.Join(", ", Kinds.Keys)}, got '{kind}'"];
        var take = 100;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, out take) || take < 1 || take > MaxLimit))
            problems["limit"] = [$"limit must be a whole number from 1 to {MaxLimit}, got '{limit}'"];
        var skip = 0;
        if (!string.IsNullOrEmpty(offset) && (!int.TryParse(offset, out skip) || skip < 0))
            problems["offset"] = [$"offset must be a whole number from 0, got '{offset}'"];
        if (problems.Count > 0) return TypedResults.ValidationProblem(problems);
        var store = new PostgresErrorStore(db);
        if (await store.GetAsync(id, ct) is null) return NotFound(id);
        var (total, items) = await store.AffectedAsync(id, kind!, take, skip, ct);
        var next = skip + items.Count < total ? skip + items.Count : (int?)null;
        return TypedResults.Ok(new AffectedPage(id, kind!, items.Count, total, skip, next, items.Select(i => i.ToResponse()).ToList()));
    }

    /// <summary>One change to every group of a filter, all or nothing: a group that may not take the change (e.g. it
    /// needs attention and cannot be resolved before someone works on it) refuses the whole change with a problem
    /// naming it, and nothing is written.</summary>
    private static async Task<Results<Ok<ErrorBulkResponse>, ValidationProblem>> BulkAsync(ErrorBulkRequest? body, NpgsqlDataSource db, TimeProvider time, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        if (body is null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["give a filter and a change"] });
        var f = body.Filter;
        var filter = f is null ? new ErrorQuery() : ParseFilter(problems, f.Ids?.ToList(), f.Status, f.Service, f.Type, f.MessageType, f.RunId);
        if (problems.Count > 0) return TypedResults.ValidationProblem(problems.ToDictionary(p => "filter." + p.Key, p => p.Value));
        var result = await new PostgresErrorStore(db).BulkUpdateAsync(filter, new ErrorBulkChange(body.Status, body.Note, body.IssueLink), time.GetUtcNow(), ct);
        if (!result.Applied)
            return TypedResults.ValidationProblem(result.Problems.ToDictionary(p => p.Key, p => new[] { p.Value }));
        return TypedResults.Ok(new ErrorBulkResponse(result.Matched, result.Changed, result.Unchanged));
    }

    private static async Task<Results<Ok<ErrorDetail>, ValidationProblem, ProblemHttpResult>> PatchAsync(long id, ErrorPatchRequest? body, NpgsqlDataSource db, TimeProvider time, TraceLinks links, CancellationToken ct)
    {
        if (body is null || (body.Status is null && body.Notes is null && body.IssueLink is null))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["body"] = ["give at least one of status, notes, issue_link"],
            });
        var result = await new PostgresErrorStore(db).UpdateAsync(id, new ErrorUpdate(body.Status, body.Notes, body.IssueLink), time.GetUtcNow(), ct);
        if (!result.Found) return NotFound(id);
        if (!result.Applied)
            return TypedResults.ValidationProblem(result.Problems.ToDictionary(p => p.Key, p => new[] { p.Value }));
        var counts = (await new PostgresErrorStore(db).AffectedCountsAsync([id], ct)).GetValueOrDefault(id, AffectedCounts.None);
        return TypedResults.Ok(result.Record!.ToDetail(counts, null, links));
    }

    private static async Task<Results<ContentHttpResult, ValidationProblem>> SummaryAsync(NpgsqlDataSource db, TimeProvider time, string? kind, string? at, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        SummaryKind? which = kind switch { "daily" => SummaryKind.Daily, "weekly" => SummaryKind.Weekly, _ => null };
        if (which is null) problems["kind"] = [$"kind must be daily or weekly, got '{kind}'"];
        var now = time.GetUtcNow();
        if (!string.IsNullOrEmpty(at) && !DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out now))
            problems["at"] = [$"at must be an ISO 8601 time such as 2026-11-02T08:00:00Z, got '{at}'"];
        if (problems.Count > 0) return TypedResults.ValidationProblem(problems);

        var poster = new SummaryPoster(new PostgresErrorStore(db), new PostgresAlertOutbox(db, time), Options.Create(new ErrorLogOptions()));
        var summary = await poster.BuildAsync(which!.Value, now, ct);
        return TypedResults.Text(summary.Markdown, "text/markdown; charset=utf-8");
    }

    private static ProblemHttpResult NotFound(long id) => TypedResults.Problem(statusCode: 404, title: $"no error {id}");
}
