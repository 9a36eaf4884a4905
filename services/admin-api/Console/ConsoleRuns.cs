using Dapper;
using Billing.AdminApi.Endpoints;
using Billing.Invoicing.Infrastructure;
using Npgsql;

namespace Billing.AdminApi.OperatorConsole;

/// <summary>One line of a run's progress: how many of how many (<c>Of</c> null for a plain count).</summary>
public sealed record StageLine(string Label, int Count, int? Of, bool Problem = false);

/// <summary>Open failures of a run with the same stage and reason.</summary>
public sealed record FailureGroup(string Stage, string Reason, int Count, DateTime FirstAt, DateTime LastAt, Guid ExampleAccount, Guid? ExampleInvoice);

/// <summary>A run as the console shows it: progress, status in words and, on its own page, history and failures.</summary>
public sealed record RunView(
    RunProgress Progress,
    string Summary,
    IReadOnlyList<AttentionItem> Attention,
    IReadOnlyList<RunStatusChange> History,
    IReadOnlyList<FailureGroup> Failures,
    bool FailuresTruncated)
{
    public RunRow Run => Progress.Run;

    public IReadOnlyList<StageLine> Stages
    {
        get
        {
            var p = Progress;
            List<StageLine> lines =
            [
                new("Accounts", p.Accounts, null),
                new("Generated", p.Generated, p.Accounts),
                new("Rendered", p.Rendered, p.Generated),
                new("Emailed", p.Emailed, p.Generated),
                new("Synced", p.Synced, p.Generated),
                new("Pushed to Stripe", p.PushedToStripe, p.Generated),
                new("Skipped", p.Skipped, null),
                new("Failed", p.Failed, null, p.Failed > 0),
            ];
            if (p.NotIssued > 0) lines.Add(new StageLine("Not issued (cancelled)", p.NotIssued, null));
            return lines;
        }
    }

    /// <summary>The closing report, once the run is completed.</summary>
    public string? ClosingReport => Run.Status == RunStatus.Completed ? ConsoleText.ClosingReport(Progress) : null;
}

/// <summary>The overview: the current and last runs, dead letters waiting and revenue-impacting error groups not yet resolved.</summary>
public sealed record OverviewModel(RunView? Current, RunView? Last, DeadLetterTotal DeadLetters, DateTimeOffset At, int OpenErrors = 0);

/// <summary>A page of runs, newest first, and the key of the next page (<c>After</c>: the last run shown).</summary>
public sealed record RunPageModel(IReadOnlyList<RunRow> Runs, int Total, Guid? After, Guid? Next);

/// <summary>
/// The runs as the console shows them, read with the API's own stores and queries (<see cref="RunStore"/>,
/// <see cref="RunProgressQuery"/>, <see cref="RunVerdicts"/>); dead letters come through <see cref="ConsoleDeadLetters"/>.
/// </summary>
public sealed class ConsoleRuns(NpgsqlDataSource db, ConsoleDeadLetters deadLetters, TimeProvider clock)
{
    public const int PageSize = 25;
    private const int FailuresRead = 1000;
    private const int RecentRuns = 20;

    /// <summary>The newest run that is not over (running, needing attention or cancelling) and the newest that is.</summary>
    public async Task<OverviewModel> OverviewAsync(CancellationToken ct)
    {
        var (recent, _) = await new RunStore(db).ListAsync(null, RecentRuns, 0, ct);
        var current = recent.FirstOrDefault(r => !IsOver(r.Status));
        var last = recent.FirstOrDefault(r => IsOver(r.Status));
        return new OverviewModel(
            current is null ? null : await ViewAsync(current.Id, details: false, ct),
            last is null ? null : await ViewAsync(last.Id, details: false, ct),
            await deadLetters.TotalAsync(ct),
            clock.GetUtcNow(),
            await OpenErrorsAsync(ct));
    }

    /// <summary>Error groups of the revenue-impacting error log in any state but resolved (an index covers exactly those).</summary>
    private async Task<int> OpenErrorsAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "select count(*)::int from error_monitorings where status <> 'resolved'", cancellationToken: ct));
    }

    private static bool IsOver(string status) => status is RunStatus.Completed or RunStatus.Cancelled;

    /// <summary>A run's view, with its history and failures grouped by stage and reason when <paramref name="details"/>; null when there is no such run.</summary>
    public async Task<RunView?> ViewAsync(Guid id, bool details, CancellationToken ct)
    {
        var query = new RunProgressQuery(db);
        var p = await query.GetAsync(id, ct);
        if (p is null) return null;
        var byStage = await query.OpenFailuresByStageAsync(id, ct);
        var (letters, error) = await deadLetters.ForRunAsync(p.Run, ct);
        var (verdict, summary) = RunOperations.Summarise(p, byStage, letters, error);
        if (!details) return new RunView(p, summary, verdict.Attention, [], [], false);

        var history = await new RunStore(db).HistoryAsync(id, ct);
        var failures = await query.OpenFailuresAsync(id, FailuresRead, ct);
        var groups = failures
            .GroupBy(f => (f.Stage, f.Reason))
            .Select(g => new FailureGroup(g.Key.Stage, g.Key.Reason, g.Count(), g.Min(f => f.FailedAt), g.Max(f => f.FailedAt),
                g.First().AccountId, g.First().InvoiceId))
            .OrderBy(g => Billing.Vocabulary.Stages.Order(g.Stage)).ThenByDescending(g => g.Count).ThenBy(g => g.Reason, StringComparer.Ordinal)
            .ToList();
        return new RunView(p, summary, verdict.Attention, history, groups, failures.Count >= FailuresRead);
    }

    public async Task<RunPageModel> PageAsync(Guid? after, CancellationToken ct)
    {
        var store = new RunStore(db);
        var rows = await store.ListAfterAsync(after, PageSize + 1, ct);
        var (_, total) = await store.ListAsync(null, 0, 0, ct);
        var page = rows.Take(PageSize).ToList();
        return new RunPageModel(page, total, after, rows.Count > PageSize ? page[^1].Id : null);
    }
}
