using System.Globalization;
using Billing.Errors;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Billing.Errors.Infrastructure;

/// <summary>Reports invoice runs that are still running but have shown no progress for
/// <see cref="ErrorLogOptions.StalledRunAfter"/>: no invoice created, rendered, emailed or synced. Each check
/// while it stays stalled counts one more occurrence of the same error.</summary>
public sealed class StalledRunWatcher(
    NpgsqlDataSource dataSource,
    ErrorRecorder recorder,
    IOptions<ErrorLogOptions> options,
    TimeProvider time,
    ILogger<StalledRunWatcher> log) : BackgroundService
{
    public const string ErrorType = "stalled_run";

    private const string StalledSql = """
        select r.id, r.period, r.trace_id, r.started_at, count(i.id) as invoices,
               count(i.pdf_rendered_at) as rendered, count(i.emailed_at) as emailed, count(i.synced_at) as synced,
               greatest(r.started_at, max(i.created_at), max(i.pdf_rendered_at), max(i.emailed_at), max(i.synced_at)) as last_activity
        from invoice_runs r
        left join invoices i on i.run_id = r.id
        where r.status = 'running'
        group by r.id
        having greatest(r.started_at, max(i.created_at), max(i.pdf_rendered_at), max(i.emailed_at), max(i.synced_at)) < @Cutoff
        order by r.started_at
        """;

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        log.LogInformation("Stalled-run check every {Every}: a running run with no progress for {After} is reported",
            options.Value.StalledRunCheckEvery, options.Value.StalledRunAfter);
        using var timer = new PeriodicTimer(options.Value.StalledRunCheckEvery, time);
        try
        {
            do
            {
                try
                {
                    await CheckAsync(ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    log.LogError(ex, "Stalled-run check failed; retrying on the next tick");
                }
            } while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public async Task<int> CheckAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        List<StalledRun> stalled;
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            stalled = (await conn.QueryAsync<StalledRun>(new CommandDefinition(StalledSql,
                new { Cutoff = now - options.Value.StalledRunAfter }, cancellationToken: ct))).ToList();
        }
        foreach (var run in stalled)
        {
            var quiet = now - new DateTimeOffset(DateTime.SpecifyKind(run.LastActivity, DateTimeKind.Utc));
            var message = string.Create(CultureInfo.InvariantCulture,
                $"invoice run {run.Period.Trim()} has made no progress for {(int)quiet.TotalMinutes} min " +
                $"(invoices {run.Invoices}, rendered {run.Rendered}, emailed {run.Emailed}, synced {run.Synced})");
            await recorder.RecordAsync(new ErrorReport("invoice-run", ErrorType, "no_progress", message,
                RunId: run.Id, TraceId: run.TraceId, BusinessKey: $"run:{run.Id:D}"), ct);
        }
        return stalled.Count;
    }

    private sealed class StalledRun
    {
        public Guid Id { get; set; }
        public string Period { get; set; } = "";
        public string? TraceId { get; set; }
        public DateTime StartedAt { get; set; }
        public long Invoices { get; set; }
        public long Rendered { get; set; }
        public long Emailed { get; set; }
        public long Synced { get; set; }
        public DateTime LastActivity { get; set; }
    }
}
