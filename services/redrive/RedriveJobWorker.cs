using Billing.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Billing.Redrive.Service;

/// <summary>
/// Claims queued redrive jobs on a timer and runs them. While a job runs, a companion loop writes the latest progress
/// after every batch (and a heartbeat when batches are slow) and turns a cancel request into cancellation of the pass.
/// A job whose service died keeps its counts; once its heartbeat is stale another claim resumes it with a fresh pass
/// over what is still dead-lettered.
/// </summary>
public sealed class RedriveJobWorker(
    RedriveJobStore jobs, Redriver redriver, IOptions<RedriveSettings> settings, TimeProvider clock, ServiceInfo service,
    ILogger<RedriveJobWorker> log) : BackgroundService
{
    private readonly string owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var s = settings.Value;
        log.LogInformation("redrive jobs: polling every {PollMs} ms as {Owner}; stale after {StaleSeconds} s; max redrive count {MaxRedriveCount}; batch {BatchSize}",
            s.PollIntervalMs, owner, s.StaleJobSeconds, s.MaxRedriveCount, s.BatchSize);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(s.PollIntervalMs), clock);
        try
        {
            do
            {
                try
                {
                    while (!stoppingToken.IsCancellationRequested && await RunNextAsync(stoppingToken)) { }
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    log.LogError(e, "redrive jobs: claiming failed; retrying on the next tick");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    private async Task<bool> RunNextAsync(CancellationToken stoppingToken)
    {
        var job = await jobs.ClaimAsync(owner, TimeSpan.FromSeconds(settings.Value.StaleJobSeconds), stoppingToken);
        if (job is null) return false;
        using var activity = service.ActivitySource.StartActivity("redrive job");
        activity?.SetTag("redrive.job_id", job.Id);
        activity?.SetTag("redrive.queue", job.Queue);
        log.LogInformation("redrive job {JobId}: {Queue} for {RequestedBy}, attempt {Attempt}, rate {Rate}", job.Id, job.Queue, job.RequestedBy, job.Attempts, job.Rate);
        if (job.CancelRequested)
        {
            await jobs.FinishAsync(job.Id, owner, RedriveJobStates.Cancelled, job.Total, job.Moved, job.Skipped, job.Failed, job.Parked, null, CancellationToken.None);
            return true;
        }
        if (job.Limit is { } limit && job.Moved + job.Parked >= limit)
        {
            await jobs.FinishAsync(job.Id, owner, RedriveJobStates.Completed, job.Total, job.Moved, job.Skipped, job.Failed, job.Parked, null, CancellationToken.None);
            return true;
        }
        await RunAsync(job, stoppingToken);
        return true;
    }

    private async Task RunAsync(RedriveJob job, CancellationToken stoppingToken)
    {
        using var pass = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var progress = new LatestProgress();
        using var watcherStop = new CancellationTokenSource();
        var watcher = WatchAsync(job, progress, pass, watcherStop.Token);
        RedriveResult? result = null;
        string? error = null;
        try
        {
            result = await redriver.RunAsync(job.ToRequest(), progress, pass.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            error = e.Message;
            log.LogError(e, "redrive job {JobId} failed", job.Id);
        }
        catch (OperationCanceledException)
        {
            // Shutting down before the pass could report: hand the job back below.
        }
        watcherStop.Cancel();
        var cancelRequested = await watcher;

        var last = progress.Latest;
        var (total, moved, skipped, failed, parked) = result is not null
            ? Totals(job, result.Total, result.Moved, result.Skipped, result.Failed, result.Parked)
            : Totals(job, last?.Total ?? 0, last?.Moved ?? 0, last?.Skipped ?? 0, last?.Failed ?? 0, last?.Parked ?? 0);
        if (error is null && stoppingToken.IsCancellationRequested && !cancelRequested)
        {
            await jobs.ReleaseAsync(job.Id, owner, total, moved, skipped, failed, parked, CancellationToken.None);
            log.LogInformation("redrive job {JobId}: handed back at shutdown after {Moved} moved", job.Id, moved);
            return;
        }
        var state = error is not null ? RedriveJobStates.Failed
            : result?.Cancelled == true || cancelRequested ? RedriveJobStates.Cancelled
            : RedriveJobStates.Completed;
        await jobs.FinishAsync(job.Id, owner, state, total, moved, skipped, failed, parked, error, CancellationToken.None);
        log.LogInformation("redrive job {JobId} {State}: {Moved} moved, {Skipped} skipped, {Failed} failed, {Parked} parked",
            job.Id, state, moved, skipped, failed, parked);
    }

    /// <summary>Counts of earlier attempts plus this pass: moved and parked messages left the queue, the rest are seen again.</summary>
    private static (long, long, long, long, long) Totals(RedriveJob job, long total, long moved, long skipped, long failed, long parked) =>
        (job.Moved + job.Parked + total, job.Moved + moved, skipped, failed, job.Parked + parked);

    /// <summary>Writes progress as it comes (at most every 100 ms) and a heartbeat otherwise; returns whether a cancel was asked for.</summary>
    private async Task<bool> WatchAsync(RedriveJob job, LatestProgress progress, CancellationTokenSource pass, CancellationToken stop)
    {
        var heartbeat = TimeSpan.FromSeconds(Math.Max(1, settings.Value.StaleJobSeconds / 4.0));
        var cancelRequested = false;
        RedriveProgress? written = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await progress.WaitAsync(heartbeat, stop);
                var latest = progress.Latest;
                if (latest is not null && !ReferenceEquals(latest, written))
                {
                    var (total, moved, skipped, failed, parked) = Totals(job, latest.Total, latest.Moved, latest.Skipped, latest.Failed, latest.Parked);
                    cancelRequested |= await jobs.ProgressAsync(job.Id, owner, total, moved, skipped, failed, parked, CancellationToken.None);
                    written = latest;
                }
                else cancelRequested |= await jobs.HeartbeatAsync(job.Id, owner, CancellationToken.None);
                if (cancelRequested && !pass.IsCancellationRequested)
                {
                    log.LogInformation("redrive job {JobId}: cancel requested; stopping after the batch in flight", job.Id);
                    await pass.CancelAsync();
                }
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception e)
            {
                log.LogWarning(e, "redrive job {JobId}: writing progress failed; trying again", job.Id);
            }
        }
        return cancelRequested;
    }

    /// <summary>Keeps only the newest report, so a slow database never holds up the pass.</summary>
    private sealed class LatestProgress : IProgress<RedriveProgress>
    {
        private readonly SemaphoreSlim signal = new(0, 1);
        private RedriveProgress? latest;

        public RedriveProgress? Latest => Volatile.Read(ref latest);

        public void Report(RedriveProgress value)
        {
            Volatile.Write(ref latest, value);
            try { signal.Release(); } catch (SemaphoreFullException) { }
        }

        public async Task WaitAsync(TimeSpan timeout, CancellationToken ct) => await signal.WaitAsync(timeout, ct);
    }
}
