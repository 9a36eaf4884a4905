using System.Diagnostics.Metrics;
using Billing.Vocabulary;

namespace Billing.Metrics;

/// <summary>
/// Every Billing instrument: names and tag values are constants here, the pipeline's synchronous instruments live on
/// one static meter (a <c>Counter.Add</c> per invoice costs no allocation: the tags are stack-held). The OpenTelemetry
/// set-up in Billing.ServiceDefaults listens to <c>Billing.*</c> and exports over OTLP when an endpoint is set.
/// </summary>
public static class BillingMetrics
{
    /// <summary>The meter of the invoice pipeline: processed invoices, stage latency, reconciliation drifts.</summary>
    public const string PipelineMeter = "Billing.Pipeline";

    /// <summary>The meter of the broker's queue depths (observed by the redrive service).</summary>
    public const string QueuesMeter = "Billing.Queues";

    public const string InvoicesProcessed = "billing.invoices.processed";
    public const string StageDuration = "billing.stage.duration";
    public const string QueueDepth = "billing.queue.depth";
    public const string DlqDepth = "billing.dlq.depth";
    public const string ReconciliationDrifts = "billing.reconciliation.drifts";

    /// <summary>Its values are the stage names of <see cref="Billing.Vocabulary.Stages"/>.</summary>
    public const string StageTag = "stage";
    public const string OutcomeTag = "outcome";
    public const string QueueTag = "queue";

    /// <summary>The <c>stage</c> of a failure whose queue names no stage.</summary>
    public const string OtherStage = "other";

    /// <summary>Values of the <c>outcome</c> tag.</summary>
    public static class Outcomes
    {
        public const string Ok = "ok";
        public const string Failed = "failed";
    }

    private static readonly Meter Meter = new(PipelineMeter);

    private static readonly Counter<long> Processed = Meter.CreateCounter<long>(
        InvoicesProcessed, "{invoice}", "Invoices that finished a stage, by stage and outcome (ok, or failed for good)");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        StageDuration, "s", "Time from a stage's message reaching the service to its follow-up event confirmed by the broker",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    private static readonly Gauge<long> Drifts = Meter.CreateGauge<long>(
        ReconciliationDrifts, "{drift}", "Drifts found by the last reconciliation");

    /// <summary>
    /// One invoice finished <paramref name="stage"/>: counted as ok, and <paramref name="elapsed"/> (the time since its
    /// message was delivered to this service, e.g. MassTransit's <c>ReceiveContext.ElapsedTime</c>) recorded as the stage's latency.
    /// </summary>
    public static void Completed(string stage, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>(StageTag, stage);
        Processed.Add(1, tag, new KeyValuePair<string, object?>(OutcomeTag, Outcomes.Ok));
        Duration.Record(elapsed.TotalSeconds, tag);
    }

    /// <summary>One invoice failed <paramref name="stage"/> for good (its message is in a dead-letter queue, or its email was not sent).</summary>
    public static void Failed(string stage) =>
        Processed.Add(1, new KeyValuePair<string, object?>(StageTag, Stages.IsKnown(stage) ? stage : OtherStage),
            new KeyValuePair<string, object?>(OutcomeTag, Outcomes.Failed));

    /// <summary>The result of a reconciliation: a gauge, so the last value stays visible until the next run.</summary>
    public static void Reconciled(long driftCount) => Drifts.Record(driftCount);
}
