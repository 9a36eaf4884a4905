using System.Globalization;

namespace Billing.Invoicing.Infrastructure;

/// <summary>Open failures of one stage of a run, by the queue whose consumer failed.</summary>
public sealed record StageFailureCount(string Stage, string? Queue, int Count);

/// <summary>One thing of a run that still needs an operator: what, how many, where, and the command to run next.</summary>
/// <param name="Kind">failed (open stage failures), dead_letters (messages of the run waiting in a dead-letter queue),
/// superseded (dead letters whose work went through by another delivery: to archive).</param>
public sealed record AttentionItem(string Kind, string? Stage, int Count, string? Queue, string Reason, string Command);

/// <summary>The status a run should have now and why, in words an operator can act on.</summary>
public sealed record RunVerdict(string Status, string Summary, IReadOnlyList<AttentionItem> Attention);

/// <summary>
/// Decides a run's status from its progress, its open stage failures and its dead letters. A run is completed only
/// when every account has an outcome, every invoice is emailed and synced, no failure is open and none of its messages
/// waits in a dead-letter queue; dead letters whose work went through by another delivery do not hold it, but the
/// summary says they are there to archive. Anything else that is over needs attention, and says why and what to run.
/// </summary>
public static class RunVerdicts
{
    public static RunVerdict Of(RunProgress p, IReadOnlyList<StageFailureCount> failures, RunDeadLetters deadLetters)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(failures);
        ArgumentNullException.ThrowIfNull(deadLetters);
        var run = p.Run.Id.ToString("D");
        var items = new List<AttentionItem>();
        foreach (var f in failures.OrderBy(f => StageOrder(f.Stage)).ThenBy(f => f.Queue, StringComparer.Ordinal))
            items.Add(new AttentionItem("failed", f.Stage, f.Count, f.Queue,
                $"{f.Stage} failed for {N(f.Count)} {(f.Stage == Stages.Generate ? "account" : "invoice")}{S(f.Count)}" + (f.Queue is null ? "" : $" (queue {f.Queue})"),
                $"billing run retry-failed {run}"));
        foreach (var q in deadLetters.Queues.Where(q => q.Pending > 0))
            items.Add(new AttentionItem("dead_letters", q.Stage, q.Pending, q.Queue,
                $"{N(q.Pending)} {q.MessageType} message{S(q.Pending)} of the run in {q.Queue}" + (q.Stage is null ? "" : $" ({q.Stage} not done)"),
                q.AllCarryRunId ? $"billing dlq redrive {q.Queue} --key runId={run}" : $"billing dlq show {q.Queue}"));
        foreach (var q in deadLetters.Queues.Where(q => q.Superseded > 0))
            items.Add(new AttentionItem("superseded", q.Stage, q.Superseded, q.Queue,
                $"{N(q.Superseded)} superseded {q.MessageType} dead letter{S(q.Superseded)} in {q.Queue} ({q.Stage} done by another delivery)",
                q.AllCarryRunId ? $"billing dlq archive {q.Queue} --key runId={run}" : $"billing dlq show {q.Queue}"));

        if (RunStatus.IsCancelled(p.Run.Status))
        {
            var cancelled = p.Run.Status == RunStatus.Cancelled || p.IssuedTerminal ? RunStatus.Cancelled : RunStatus.Cancelling;
            return new RunVerdict(cancelled, cancelled, items);
        }
        var blocking = items.Where(i => i.Kind != "superseded").ToList();
        // Every account has an outcome but messages of the run wait in a dead-letter queue: the invoices they were for
        // will not finish by themselves, so the run is stuck, not running.
        var stuck = p.Run.FannedOutAt is not null && p.Settled >= p.Accounts && deadLetters.Pending > 0;
        if (!p.AllTerminal && !stuck)
        {
            var summary = $"running: {N(p.Settled)} of {N(p.Accounts)} accounts have an outcome, {N(p.Emailed)} of {N(p.Generated)} invoices emailed, {N(p.Synced)} synced";
            if (blocking.Count > 0) summary += "; so far " + string.Join("; ", blocking.Select(i => i.Reason));
            return new RunVerdict(RunStatus.Running, summary, items);
        }
        if (blocking.Count > 0)
            return new RunVerdict(RunStatus.NeedsAttention, "needs_attention: " + string.Join("; ", blocking.Select(i => i.Reason)), items);
        return new RunVerdict(RunStatus.Completed,
            deadLetters.Superseded > 0 ? $"completed, {N(deadLetters.Superseded)} superseded dead letter{S(deadLetters.Superseded)} to archive" : "completed",
            items);
    }

    /// <summary>Why the status changes from <paramref name="from"/> to the verdict's: recorded with the change.</summary>
    public static string ReasonFor(string from, RunVerdict verdict, RunProgress p)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(p);
        var blocking = verdict.Attention.Where(i => i.Kind != "superseded").Select(i => i.Reason).ToList();
        return verdict.Status switch
        {
            RunStatus.NeedsAttention => (p.AllTerminal ? "every account has an outcome but " : "work of the run is stuck: ") + string.Join("; ", blocking),
            RunStatus.Completed when from == RunStatus.NeedsAttention =>
                "nothing is open any more: the failures and dead letters it waited for went through (a retry, a redrive or another delivery)"
                + Superseded(verdict),
            RunStatus.Completed => $"all {N(p.Generated)} invoices issued, emailed and synced ({N(p.Skipped)} accounts skipped); no failure open, no dead letter left"
                + Superseded(verdict),
            RunStatus.Running when from == RunStatus.NeedsAttention => "work of the run is under way again (a retry or a redrive)",
            RunStatus.Cancelled => "cancelled, and every invoice issued before the cancel emailed and synced (or failed)",
            _ => verdict.Summary,
        };
    }

    private static string Superseded(RunVerdict v)
    {
        var n = v.Attention.Where(i => i.Kind == "superseded").Sum(i => i.Count);
        return n == 0 ? "" : $"; {N(n)} superseded dead letter{S(n)} to archive";
    }

    private static int StageOrder(string stage) => Stages.Order(stage);

    private static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string S(int n) => n == 1 ? "" : "s";
}
