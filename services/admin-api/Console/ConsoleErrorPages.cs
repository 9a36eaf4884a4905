using Billing.AdminApi.OperatorConsole.Components;
using Billing.Errors;
using Billing.Errors.Infrastructure;
using Billing.Ledger.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Billing.AdminApi.OperatorConsole;

/// <summary>
/// The console's pages for: The revenue-impacting error log and reconciliation. They read and change the error log
/// with the library behind <c>/api/errors</c> (<see cref="PostgresErrorStore"/>, <see cref="SummaryPoster"/>) and
/// reconcile with the <see cref="ReconcileService"/> of <c>/admin/reconcile</c>: a read, so any session may run it.
/// </summary>
public static class ConsoleErrorPages
{
    public const int PageSize = 25;
    private const int AffectedPageSize = 100;
    private static readonly string[] Kinds = ["invoice", "account", "run", "key"];

    public static void Map(RouteGroupBuilder read, RouteGroupBuilder write)
    {
        read.MapGet("/errors", ListAsync);
        read.MapGet("/errors/summary", SummaryAsync);
        read.MapGet("/errors/{id:long}", DetailAsync);
        read.MapGet("/errors/{id:long}/affected/{kind}", AffectedAsync);
        ConsoleForms.Form(write.MapPost("/errors/{id:long}", ChangeAsync));
        read.MapGet("/reconcile", ReconcileAsync);
    }

    private static async Task<RazorComponentResult> ListAsync(HttpContext http, NpgsqlDataSource db, string? status, string? type, string? service,
        [FromQuery(Name = "run_id")] string? runId, [FromQuery(Name = "seen_from")] string? seenFrom, [FromQuery(Name = "seen_to")] string? seenTo,
        string? after, CancellationToken ct)
    {
        var filter = new ErrorFilter(status, type, service, runId, seenFrom, seenTo);
        var problems = new Dictionary<string, string>();
        var query = filter.ToQuery(problems);
        long? key = null;
        if (!string.IsNullOrEmpty(after))
        {
            if (long.TryParse(after, out var k)) key = k;
            else problems["after"] = $"'{after}' is not the id of an error";
        }
        if (problems.Count > 0)
            return ConsolePages.Render<ErrorLogPage>(new
            {
                User = ConsoleUser.From(http.User),
                Model = new ErrorLogModel(filter, problems, [], 0, null, null),
            }, StatusCodes.Status400BadRequest);

        var store = new PostgresErrorStore(db);
        var rows = await store.ListAsync(query with { Limit = PageSize + 1, After = key }, ct);
        var shown = rows.Take(PageSize).ToList();
        var total = await store.CountAsync(query, ct);
        var counts = await store.AffectedCountsAsync(shown.Select(r => r.Id).ToList(), ct);
        return ConsolePages.Render<ErrorLogPage>(new
        {
            User = ConsoleUser.From(http.User),
            Model = new ErrorLogModel(filter, problems, shown.Select(r => (r, counts.GetValueOrDefault(r.Id, AffectedCounts.None))).ToList(), total,
                key, rows.Count > PageSize ? shown[^1].Id : null),
        });
    }

    private static async Task<ErrorDetailModel?> DetailModelAsync(long id, NpgsqlDataSource db, TraceLinks links, CancellationToken ct)
    {
        var store = new PostgresErrorStore(db);
        var record = await store.GetAsync(id, ct);
        if (record is null) return null;
        var counts = (await store.AffectedCountsAsync([id], ct)).GetValueOrDefault(id, AffectedCounts.None);
        var sections = new List<AffectedSection>();
        foreach (var kind in Kinds)
        {
            var (total, items) = await store.AffectedAsync(id, kind, ConsoleErrorText.AffectedShown, 0, ct);
            sections.Add(new AffectedSection(kind, total, items));
        }
        return new ErrorDetailModel(record, counts, sections, links.For(record.TraceId));
    }

    private static RazorComponentResult NotFound(HttpContext http, long id) =>
        ConsolePages.Error(http, StatusCodes.Status404NotFound, "Error not found", $"There is no error {id} in the error log.");

    private static async Task<RazorComponentResult> DetailAsync(HttpContext http, long id, string? saved, NpgsqlDataSource db, TraceLinks links,
        CancellationToken ct) =>
        await DetailModelAsync(id, db, links, ct) is { } model
            ? ConsolePages.Render<ErrorDetailPage>(new { User = ConsoleUser.From(http.User), Model = model, Saved = saved == "true" })
            : NotFound(http, id);

    /// <summary>
    /// A note, and optionally a next status and an issue link, for one group: the bulk change of
    /// <c>POST /api/errors/bulk</c> for this one id, so the note is appended to the notes under the row's lock and the
    /// library's rules (the allowed transitions, a note that is not blank, an http(s) issue link) decide; on any
    /// problem nothing is written and the page names the field.
    /// </summary>
    private static async Task<IResult> ChangeAsync(HttpContext http, long id, NpgsqlDataSource db, TraceLinks links, TimeProvider time, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var status = form["status"].ToString().Trim();
        var note = form["note"].ToString();
        var issueLink = form["issue_link"].ToString().Trim();
        var store = new PostgresErrorStore(db);
        var current = await store.GetAsync(id, ct);
        if (current is null) return NotFound(http, id);

        // Choosing the status the group already has (another operator moved it meanwhile) only adds the note.
        var target = status.Length == 0 || (ErrorStatuses.TryParse(status, out var s) && s == current.Status) ? null : status;
        var result = await store.BulkUpdateAsync(new ErrorQuery(Ids: [id]),
            new ErrorBulkChange(target, note.Trim(), issueLink.Length == 0 ? null : issueLink), time.GetUtcNow(), ct);
        if (result.Applied) return ConsoleForms.SeeOther($"{ConsolePaths.Root}/errors/{id}?saved=true");

        var problems = result.Problems.ToDictionary(p => p.Key.StartsWith("status", StringComparison.Ordinal) ? "status" : p.Key, p => p.Value);
        var model = await DetailModelAsync(id, db, links, ct);
        if (model is null) return NotFound(http, id);
        return ConsolePages.Render<ErrorDetailPage>(new
        {
            User = ConsoleUser.From(http.User),
            Model = model,
            Form = new ErrorChangeForm(status, note, issueLink, problems),
        }, StatusCodes.Status400BadRequest);
    }

    private static async Task<RazorComponentResult> AffectedAsync(HttpContext http, long id, string kind, string? offset, NpgsqlDataSource db,
        CancellationToken ct)
    {
        if (!Kinds.Contains(kind))
            return ConsolePages.Error(http, StatusCodes.Status404NotFound, "Page not found", $"An error hits invoices, accounts, runs or keys, not '{kind}'.");
        var skip = int.TryParse(offset, out var o) && o > 0 ? o : 0;
        var store = new PostgresErrorStore(db);
        var record = await store.GetAsync(id, ct);
        if (record is null) return NotFound(http, id);
        var (total, items) = await store.AffectedAsync(id, kind, AffectedPageSize, skip, ct);
        return ConsolePages.Render<ErrorAffectedPage>(new
        {
            User = ConsoleUser.From(http.User),
            Record = record,
            Section = new AffectedSection(kind, total, items),
            Offset = skip,
            Next = skip + items.Count < total ? skip + items.Count : (int?)null,
            PageSize = AffectedPageSize,
        });
    }

    /// <summary>The daily or weekly summary, built as <c>GET /api/errors/summary</c> builds it, up to now.</summary>
    private static async Task<RazorComponentResult> SummaryAsync(HttpContext http, string? kind, NpgsqlDataSource db, TimeProvider time, CancellationToken ct)
    {
        SummaryKind? which = kind switch { null or "" or "daily" => SummaryKind.Daily, "weekly" => SummaryKind.Weekly, _ => null };
        if (which is null)
            return ConsolePages.Error(http, StatusCodes.Status404NotFound, "No such summary", $"There are daily and weekly summaries, no '{kind}' one.");
        var poster = new SummaryPoster(new PostgresErrorStore(db), new PostgresAlertOutbox(db, time), Options.Create(new ErrorLogOptions()));
        var summary = await poster.BuildAsync(which.Value, time.GetUtcNow(), ct);
        return ConsolePages.Render<ErrorSummaryPage>(new { User = ConsoleUser.From(http.User), Weekly = which == SummaryKind.Weekly, Summary = summary });
    }

    private const string DriftInvoicesSql = "select id as Id, number as Number, trim(currency) as Currency from invoices where id = any(@Ids)";

    private sealed record DriftInvoice(Guid Id, string Number, string Currency);

    /// <summary>The reconcile page; with <c>run=true</c> it reconciles afresh as <c>GET /admin/reconcile?detail=true</c> does.</summary>
    private static async Task<RazorComponentResult> ReconcileAsync(HttpContext http, string? run, ReconcileService reconcile, NpgsqlDataSource db,
        TimeProvider time, CancellationToken ct)
    {
        ReconcileModel? model = null;
        if (run == "true")
        {
            var report = await reconcile.RunAsync(ct);
            var ids = report.Drifts.Select(d => d.InvoiceId).Concat(report.Acceptable.Select(a => a.InvoiceId)).Distinct().ToArray();
            var invoices = new Dictionary<Guid, (string, string)>();
            if (ids.Length > 0)
            {
                await using var conn = await db.OpenConnectionAsync(ct);
                foreach (var i in await conn.QueryAsync<DriftInvoice>(new CommandDefinition(DriftInvoicesSql, new { Ids = ids }, cancellationToken: ct)))
                    invoices[i.Id] = (i.Number, i.Currency);
            }
            model = new ReconcileModel(report, reconcile.ChecksStripe, invoices, time.GetUtcNow());
        }
        return ConsolePages.Render<ReconcilePage>(new { User = ConsoleUser.From(http.User), Model = model, StripeChecked = reconcile.ChecksStripe });
    }
}
