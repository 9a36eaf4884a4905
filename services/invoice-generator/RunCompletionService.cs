using Billing.Contracts;
using Billing.Invoicing.Infrastructure;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Billing.InvoiceGenerator;

/// <summary>
/// Decides when a run is over (see <see cref="RunVerdicts"/>): fanned out, every account generated, skipped or failed,
/// every invoice emailed and synced or failed, and nothing of the run waiting in a dead-letter queue. Then it is
/// completed and InvoiceRunCompleted is published once (the status change is a conditional UPDATE, so of several
/// instances only one publishes); with open failures or dead letters it waits in needs_attention until a retry or a
/// redrive clears them. Every change is recorded with its reason. A cancelling run becomes cancelled once the
/// invoices it issued before the cancel are emailed and synced or failed (no InvoiceRunCompleted: it did not complete).
/// </summary>
public sealed class RunCompletionService(RunStore runs, RunProgressQuery progress, RunDeadLetterQuery deadLetters, IBus bus,
    TimeProvider time, IOptions<GenerationOptions> options, ILogger<RunCompletionService> log) : BackgroundService
{
    // Reading the dead-letter queues costs a broker round trip per queue: at most this often per run, except that a
    // run about to be completed is always checked afresh.
    private static readonly TimeSpan DeadLetterCheckEvery = TimeSpan.FromSeconds(5);
    private readonly Dictionary<Guid, (DateTimeOffset At, RunDeadLetters Letters)> _lastDeadLetters = [];

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var interval = TimeSpan.FromMilliseconds(options.Value.CompletionCheckMs);
        log.LogInformation("Checking running invoice runs for completion every {Interval}", interval);
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await CheckAsync(ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning(e, "Run completion check failed; trying again");
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public async Task CheckAsync(CancellationToken ct)
    {
        foreach (var run in await runs.ActiveRunsAsync(ct))
        {
            // While accounts are still being generated the run cannot be over: skip the full progress query,
            // which reads every invoice of the run, until every account has an outcome.
            if (run.Status == RunStatus.Running && await runs.SettledCountAsync(run.Id, ct) < (run.Accounts ?? 0)) continue;
            var p = await progress.GetAsync(run.Id, ct);
            if (p is null) continue;
            var failures = await progress.OpenFailuresByStageAsync(run.Id, ct);
            var letters = RunStatus.IsCancelled(run.Status) ? RunDeadLetters.None : await DeadLettersAsync(run, fresh: false, ct);
            var verdict = RunVerdicts.Of(p, failures, letters);
            if (verdict.Status == RunStatus.Completed)
            {
                letters = await DeadLettersAsync(run, fresh: true, ct);
                verdict = RunVerdicts.Of(p, failures, letters);
            }
            var status = verdict.Status;
            if (status == run.Status) continue;
            var reason = RunVerdicts.ReasonFor(run.Status, verdict, p);
            var (changed, completedAt) = await runs.SetStatusAsync(run.Id, status, ct, reason);
            if (!changed) continue;
            log.LogInformation("Run {RunId} for {Period} is {Status}: {Reason}", run.Id, run.Period, status, reason);
            if (status != RunStatus.Completed) continue;
            _lastDeadLetters.Remove(run.Id);
            await bus.Publish(new InvoiceRunCompleted(run.Id, run.Period, p.Accounts, p.Generated, p.Skipped, p.Failed, p.Emailed, p.Synced,
                p.Totals.Select(t => new CurrencyTotal(t.Currency, t.Invoices, t.TotalMinor)).ToList(),
                new DateTimeOffset(run.StartedAt, TimeSpan.Zero), new DateTimeOffset(completedAt ?? time.GetUtcNow().UtcDateTime, TimeSpan.Zero)), ct);
        }
    }

    private async Task<RunDeadLetters> DeadLettersAsync(RunRow run, bool fresh, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!fresh && _lastDeadLetters.TryGetValue(run.Id, out var last) && now - last.At < DeadLetterCheckEvery) return last.Letters;
        var letters = await deadLetters.ForRunAsync(run.Id, run.Period, ct);
        _lastDeadLetters[run.Id] = (now, letters);
        return letters;
    }
}
