using System.Text.Json;
using Billing.ErrorLog;
using Billing.Errors;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Billing.AdminApi.Endpoints;

/// <summary>The revenue-impacting error log: list, show, move through its states, summaries as Markdown.</summary>
public static class ErrorEndpoints
{
    private const int MaxLimit = 1000;

    public static void MapErrorEndpoints(this RouteGroupBuilder read, RouteGroupBuilder write)
    {
        read.MapGet("/api/errors", ListAsync);
        read.MapGet("/api/errors/summary", SummaryAsync);
        read.MapGet("/api/errors/{id:long}", GetAsync);
        write.MapPatch("/api/errors/{id:long}", PatchAsync);
    }

    /// <summary>PATCH body; absent fields are left as they are, an empty issue_link clears it.</summary>
    public sealed record ErrorPatch(string? Status, string? Notes, string? IssueLink);

    private static async Task<IResult> ListAsync(NpgsqlDataSource db, string? status, string? run_id, string? type, string? limit, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        ErrorStatus? statusFilter = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (ErrorStatuses.TryParse(status, out var s)) statusFilter = s;
            else problems["status"] = [ErrorStatuses.UnknownMessage(status)];
        }
        Guid? run = null;
        if (!string.IsNullOrEmpty(run_id))
        {
            if (Guid.TryParse(run_id, out var r)) run = r;
            else problems["run_id"] = [$"run_id must be a UUID, got '{run_id}'"];
        }
        var take = 100;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, out take) || take < 1 || take > MaxLimit))
            problems["limit"] = [$"limit must be a whole number from 1 to {MaxLimit}, got '{limit}'"];
        if (problems.Count > 0) return Results.ValidationProblem(problems);

        var rows = await new PostgresErrorStore(db).ListAsync(
            new ErrorQuery(statusFilter, run, string.IsNullOrEmpty(type) ? null : type, take), ct);
        return Results.Ok(new { count = rows.Count, errors = rows.Select(r => Summary(r)).ToList() });
    }

    private static async Task<IResult> GetAsync(long id, NpgsqlDataSource db, CancellationToken ct)
    {
        var row = await new PostgresErrorStore(db).GetAsync(id, ct);
        return row is null ? NotFound(id) : Results.Ok(Detail(row));
    }

    private static async Task<IResult> PatchAsync(long id, ErrorPatch? body, NpgsqlDataSource db, TimeProvider time, CancellationToken ct)
    {
        if (body is null || (body.Status is null && body.Notes is null && body.IssueLink is null))
            return Results.ValidationProblem(new Dictionary<string, string[]>
            {
                ["body"] = ["give at least one of status, notes, issue_link"],
            });
        var result = await new PostgresErrorStore(db).UpdateAsync(id, new ErrorUpdate(body.Status, body.Notes, body.IssueLink), time.GetUtcNow(), ct);
        if (!result.Found) return NotFound(id);
        if (!result.Applied)
            return Results.ValidationProblem(result.Problems.ToDictionary(p => p.Key, p => new[] { p.Value }));
        return Results.Ok(Detail(result.Record!));
    }

    private static async Task<IResult> SummaryAsync(NpgsqlDataSource db, TimeProvider time, string? kind, string? at, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        SummaryKind? which = kind switch { "daily" => SummaryKind.Daily, "weekly" => SummaryKind.Weekly, _ => null };
        if (which is null) problems["kind"] = [$"kind must be daily or weekly, got '{kind}'"];
        var now = time.GetUtcNow();
        if (!string.IsNullOrEmpty(at) && !DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out now))
            problems["at"] = [$"at must be an ISO 8601 time such as 2026-11-02T08:00:00Z, got '{at}'"];
        if (problems.Count > 0) return Results.ValidationProblem(problems);

        var poster = new SummaryPoster(new PostgresErrorStore(db), new PostgresAlertOutbox(db, time), Options.Create(new ErrorLogOptions()));
        var summary = await poster.BuildAsync(which!.Value, now, ct);
        return Results.Text(summary.Markdown, "text/markdown; charset=utf-8");
    }

    private static IResult NotFound(long id) => Results.Problem(statusCode: 404, title: $"no error {id}");

    private static object Summary(ErrorRecord r) => new
    {
        r.Id,
        Status = r.Status.ToName(),
        r.Service,
        r.ErrorType,
        r.Code,
        r.Message,
        r.OccurrenceCount,
        r.InvoiceId,
        r.AccountId,
        r.RunId,
        r.TraceId,
        r.IssueLink,
        r.CreatedAt,
        r.LastSeenAt,
    };

    private static object Detail(ErrorRecord r) => new
    {
        r.Id,
        r.Fingerprint,
        Status = r.Status.ToName(),
        AllowedNext = ErrorTransitions.AllowedFrom(r.Status).Select(s => s.ToName()).ToList(),
        r.Service,
        r.ErrorType,
        r.Code,
        r.Message,
        r.OccurrenceCount,
        r.InvoiceId,
        r.AccountId,
        r.RunId,
        r.TraceId,
        r.IssueLink,
        r.Notes,
        r.Backtrace,
        Payload = r.Payload is null ? (JsonElement?)null : JsonDocument.Parse(r.Payload).RootElement.Clone(),
        r.CreatedAt,
        r.UpdatedAt,
        r.LastSeenAt,
        r.ResolvedAt,
    };
}
