using Billing.Contracts;
using Billing.Runs;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Billing.InvoiceGenerator;

/// <summary>
/// Decides when a run is over: fanned out, every account generated, skipped or failed, and every invoice emailed
/// and synced or failed. Without open failures it is completed and InvoiceRunCompleted is published once (the
/// status change is a conditional UPDATE, so of several instances only one publishes); with open failures it
/// waits in needs_attention until a retry resolves them. A cancelling run becomes cancelled once the invoices it issued
/// before the cancel are emailed and synced or failed (no InvoiceRunCompleted: it did not complete).
/// </summary>
public sealed class RunCompletionService(RunStore runs, RunProgressQuery progress, IBus bus, TimeProvider time,
    IOptions<GenerationOptions> options, ILogger<RunCompletionService> log) : BackgroundService
{
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
            // A cancelled run issues nothing more; it ends once the invoices it issued are emailed and synced (or failed).
            var status = run.Status == RunStatus.Cancelling
                ? (p.IssuedTerminal ? RunStatus.Cancelled : RunStatus.Cancelling)
                : !p.AllTerminal ? RunStatus.Running : p.Failed > 0 ? RunStatus.NeedsAttention : RunStatus.Completed;
            if (status == run.Status) continue;
            var (changed, completedAt) = await runs.SetStatusAsync(run.Id, status, ct);
            if (!changed) continue;
            log.LogInformation("Run {RunId} for {Period} is {Status}: {Invoices} invoices, {Skipped} skipped, {Failed} failed",
                run.Id, run.Period, status, p.Generated, p.Skipped, p.Failed);
            if (status != RunStatus.Completed) continue;
            await bus.Publish(new InvoiceRunCompleted(run.Id, run.Period, p.Accounts, p.Generated, p.Skipped, p.Failed, p.Emailed, p.Synced,
                p.Totals.Select(t => new CurrencyTotal(t.Currency, t.Invoices, t.TotalMinor)).ToList(),
                new DateTimeOffset(run.StartedAt, TimeSpan.Zero), new DateTimeOffset(completedAt ?? time.GetUtcNow().UtcDateTime, TimeSpan.Zero)), ct);
        }
    }
}
