using System.Diagnostics;
using Billing.Contracts;
using Billing.Invoicing;
using Billing.Invoicing.Infrastructure;
using Billing.Vocabulary;
using MassTransit;
using Npgsql;

namespace Billing.AdminApi.Endpoints;

/// <summary>A run started, or the title and detail of the run that stands in its way.</summary>
public sealed record RunStartOutcome(Guid? RunId, string? ConflictTitle, string? ConflictDetail);

/// <summary>
/// Starting a run and reading what of it needs an operator, shared by <c>/api/runs</c> and the console so that both
/// check a period, refuse a second run and word a run's status the same way.
/// </summary>
public static class RunOperations
{
    /// <summary>Why <paramref name="text"/> is not a period a run may be started (or previewed) for; null when it is.</summary>
    public static string? PeriodProblem(string? text, TimeProvider time, out BillingPeriod period)
    {
        if (!BillingPeriod.TryParse(text, out period))
            return text is null ? "is required, e.g. 2026-10" : $"'{text}' is not a period; expected yyyy-MM such as 2026-10";
        if (!period.HasEnded(time.GetUtcNow()))
            return $"{period} has not ended; it can be invoiced from {period.End:yyyy-MM-dd} (UTC)";
        return null;
    }

    /// <summary>Records the run and sends its start command; a run of the period already going on or completed refuses it.</summary>
    public static async Task<RunStartOutcome> StartAsync(BillingPeriod period, string? requestedBy, NpgsqlDataSource db, IPublishEndpoint bus,
        TimeProvider time, CancellationToken ct)
    {
        var runs = new RunStore(db);
        var id = Guid.CreateVersion7();
        var outcome = await runs.StartAsync(id, period.ToString(), requestedBy, Activity.Current?.TraceId.ToHexString(), ct);
        if (outcome != StartOutcome.Started)
        {
            var blocking = await runs.BlockingRunAsync(period.ToString(), ct);
            return outcome == StartOutcome.AlreadyRunning
                ? new RunStartOutcome(null, $"A run for {period} is already going on",
                    $"run {blocking?.Id} for {period} is still {blocking?.Status}; wait for it or retry its failed requests")
                : new RunStartOutcome(null, $"{period} is already invoiced",
                    $"{period} was invoiced by run {blocking?.Id} (completed); retry failed requests of that run instead");
        }
        try
        {
            await bus.Publish(new StartInvoiceRun(id, period.ToString(), time.GetUtcNow()), ct);
        }
        catch
        {
            await runs.DeleteUnstartedAsync(id, CancellationToken.None);
            throw;
        }
        return new RunStartOutcome(id, null, null);
    }

    /// <summary>The run's messages in dead-letter queues (none for a cancelled run), or why the broker could not be read.</summary>
    public static async Task<(RunDeadLetters? Letters, string? Error)> DeadLettersAsync(RunRow run, RunDeadLetterQuery deadLetters, ILoggerFactory logs,
        CancellationToken ct)
    {
        try
        {
            return (run.Status == RunStatus.Cancelled ? RunDeadLetters.None : await deadLetters.ForRunAsync(run.Id, run.Period, ct), null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The broker cannot be read: say so rather than claim there are no dead letters.
            logs.CreateLogger("Billing.AdminApi.Runs").LogWarning(e, "Dead letters of run {RunId} could not be read", run.Id);
            return (null, $"dead-letter queues could not be read: {e.Message}");
        }
    }

    /// <summary>
    /// The status the run should have now and its summary in words ("completed, 219 superseded dead letters to
    /// archive"); when the verdict differs from the stored status (what the completion check decided) the summary says
    /// both, and it says when the dead letters could not be read.
    /// </summary>
    public static (RunVerdict Verdict, string Summary) Summarise(RunProgress p, IReadOnlyList<StageFailureCount> byStage, RunDeadLetters? letters,
        string? deadLetterError)
    {
        var verdict = RunVerdicts.Of(p, byStage, letters ?? RunDeadLetters.None);
        var summary = verdict.Summary;
        if (verdict.Status != p.Run.Status)
            summary = $"{p.Run.Status} (as last decided); now: {verdict.Summary}";
        if (deadLetterError is not null) summary += $" — {deadLetterError}";
        return (verdict, summary);
    }

    /// <summary>Sends every open failure of the run to its stage again; null when there is no such run.</summary>
    public static async Task<(int Count, Dictionary<string, int> ByStage)?> RetryFailedAsync(Guid runId, string user, NpgsqlDataSource db,
        IPublishEndpoint publish, ISendEndpointProvider send, CancellationToken ct)
    {
        if (await new RunStore(db).GetAsync(runId, ct) is null) return null;
        var failures = await new RunProgressQuery(db).OpenFailuresAsync(runId, int.MaxValue, ct);
        var byStage = new Dictionary<string, int>();
        // Every consumer is idempotent, so a retry re-sends the stage's input; to the queue that failed when known.
        foreach (var f in failures)
        {
            await RetryAsync(f, publish, send, user, ct);
            byStage[f.Stage] = byStage.GetValueOrDefault(f.Stage) + 1;
        }
        return (failures.Count, byStage);
    }

    private static async Task RetryAsync(FailureRow f, IPublishEndpoint publish, ISendEndpointProvider send, string user, CancellationToken ct)
    {
        async Task SendOrPublish<T>(T message, string? queue) where T : class
        {
            // exchange: rather than queue: — the queue exists (quorum, declared by its consumer) and must not be re-declared.
            if (queue is null) await publish.Publish(message, ct);
            else await (await send.GetSendEndpoint(new Uri($"exchange:{queue}"))).Send(message, ct);
        }

        if (f.Stage == Stages.Generate || f.InvoiceId is null)
        {
            await SendOrPublish(new GenerateInvoice(f.RunId, f.AccountId, f.Period), f.InputQueue ?? ConsumerEndpoints.GenerateInvoice);
            return;
        }
        var invoiceId = f.InvoiceId.Value;
        switch (f.MessageType)
        {
            case nameof(InvoiceFinalized):
                await SendOrPublish(new InvoiceFinalized(invoiceId, f.RunId, f.AccountId, f.Period, f.Number ?? "", f.TotalMinor ?? 0, f.Currency ?? ""), f.InputQueue);
                break;
            case nameof(InvoicePdfRendered) when !f.PdfMissing:
                await SendOrPublish(new InvoicePdfRendered(invoiceId, f.RunId, f.AccountId, f.PdfKey!, f.PdfSize ?? 0, f.PdfSha256 ?? "", false), f.InputQueue);
                break;
            default:
                if (f.PdfMissing) await publish.Publish(new RenderInvoicePdf(invoiceId, "retry-failed"), ct);
                else await publish.Publish(new SendInvoiceEmail(invoiceId, "retry-failed", user), ct);
                break;
        }
    }
}
