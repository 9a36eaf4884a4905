using Billing.Ledger.Infrastructure;
using Billing.AccountingSync.Consumers;
using Billing.Ledger;
using Billing.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Billing.AccountingSync.Reconciliation;

/// <summary>
/// Reconciles invoices against the ledger (and Stripe when configured) once a day at <c>Reconcile__DailyAtUtc</c>,
/// stores each run with its drifts and reports every drift as an error (type reconciliation_drift, code = drift
/// kind, business key = invoice id, so the same drift on later days counts as one error).
/// </summary>
public sealed class DailyReconciliation(
    ReconcileService reconcile, IBus bus, IOptions<ReconcileOptions> options, TimeProvider time, ServiceInfo service,
    ILogger<DailyReconciliation> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var next = settings.NextAfter(time.GetUtcNow());
        log.LogInformation("daily reconciliation at {DailyAtUtc} UTC (next {Next:u}), run on start {RunOnStart}, Stripe checked {Stripe}, clock checked every {Interval}s",
            settings.DailyAtUtc, next, settings.RunOnStart, reconcile.ChecksStripe, settings.CheckIntervalSeconds);
        try
        {
            if (settings.RunOnStart)
                await RunOnceAsync(ct);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.CheckIntervalSeconds), time);
            while (await timer.WaitForNextTickAsync(ct))
            {
                var now = time.GetUtcNow();
                if (now < next)
                    continue;
                next = settings.NextAfter(now);
                await RunOnceAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>One run; a failure is logged and the loop waits for the next day rather than dying.</summary>
    public async Task RunOnceAsync(CancellationToken ct)
    {
        using var activity = service.ActivitySource.StartActivity("reconcile daily");
        var started = time.GetUtcNow();
        try
        {
            var report = await reconcile.RunAsync(ct);
            var runId = await reconcile.SaveAsync(report, started, activity?.TraceId.ToString(), ct);
            Billing.Metrics.BillingMetrics.Reconciled(report.DriftCount);
            log.LogInformation("reconciliation {RunId}: {Status}, {Accounts} accounts, {Invoices} invoices, {Drifts} drifts",
                runId, report.Status, report.AccountsChecked, report.InvoicesChecked, report.DriftCount);
            foreach (var drift in report.Drifts)
                await ErrorReports.PublishAsync(bus, "reconciliation_drift", drift.Kind, drift.Detail, drift.InvoiceId, drift.AccountId,
                    payloadJson: System.Text.Json.JsonSerializer.Serialize(drift, LedgerJson.Options), at: started, ct: ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            log.LogError(ex, "reconciliation failed");
        }
    }
}
