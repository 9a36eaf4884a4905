using Billing.Contracts;
using Billing.Errors;
using MassTransit;

namespace Billing.Errors.Infrastructure;

/// <summary>Posts the run's opening line to chat, once per run however often the event is delivered.</summary>
public sealed class RunStartedReportConsumer(PostgresAlertOutbox outbox) : IConsumer<InvoiceRunStarted>
{
    public Task Consume(ConsumeContext<InvoiceRunStarted> context) =>
        outbox.EnqueueOnceAsync(AlertKinds.RunStarted, RunReports.Started(context.Message),
            $"{AlertKinds.RunStarted}:{context.Message.RunId:D}", context.CancellationToken);
}

/// <summary>Posts the run's closing report (the runbook's "post the invoice count when done"), once per run.</summary>
public sealed class RunCompletedReportConsumer(PostgresAlertOutbox outbox) : IConsumer<InvoiceRunCompleted>
{
    public Task Consume(ConsumeContext<InvoiceRunCompleted> context) =>
        outbox.EnqueueOnceAsync(AlertKinds.RunCompleted, RunReports.Completed(context.Message),
            $"{AlertKinds.RunCompleted}:{context.Message.RunId:D}", context.CancellationToken);
}

public sealed class RunStartedReportConsumerDefinition : ConsumerDefinition<RunStartedReportConsumer>
{
    public RunStartedReportConsumerDefinition() => EndpointName = "error-log-run-reports";
}

public sealed class RunCompletedReportConsumerDefinition : ConsumerDefinition<RunCompletedReportConsumer>
{
    public RunCompletedReportConsumerDefinition() => EndpointName = "error-log-run-reports";
}
