using System.Diagnostics;
using Billing.Contracts;
using Billing.Invoicing.Infrastructure;
using Billing.Vocabulary;
using MassTransit;

namespace Billing.InvoiceGenerator;

/// <summary>
/// Records the final failures of a run's stages (the Fault&lt;T&gt; MassTransit publishes once retries are spent,
/// and emails that were not sent) so progress can count them and retry-failed can re-send them.
/// The stage is the one <see cref="ConsumerEndpoints"/> gives the queue of the consumer that failed (the fault's source address).
/// </summary>
public sealed class StageFailureConsumer(FailureStore failures) :
    IConsumer<Fault<GenerateInvoice>>,
    IConsumer<Fault<InvoiceFinalized>>,
    IConsumer<Fault<InvoicePdfRendered>>,
    IConsumer<InvoiceEmailNotSent>
{
    public Task Consume(ConsumeContext<Fault<GenerateInvoice>> context)
    {
        var m = context.Message.Message;
        return Record(context, m.RunId, m.AccountId, null, Stages.Generate, nameof(GenerateInvoice));
    }

    public Task Consume(ConsumeContext<Fault<InvoiceFinalized>> context)
    {
        var m = context.Message.Message;
        return Record(context, m.RunId, m.AccountId, m.InvoiceId, ConsumerEndpoints.StageOf(QueueOf(context)) ?? nameof(InvoiceFinalized), nameof(InvoiceFinalized));
    }

    public Task Consume(ConsumeContext<Fault<InvoicePdfRendered>> context)
    {
        var m = context.Message.Message;
        return Record(context, m.RunId, m.AccountId, m.InvoiceId, ConsumerEndpoints.StageOf(QueueOf(context)) ?? Stages.Email, nameof(InvoicePdfRendered));
    }

    public async Task Consume(ConsumeContext<InvoiceEmailNotSent> context)
    {
        var m = context.Message;
        // Suppressed and invalid addresses are decisions, not failures; a missing PDF or a failed send needs a retry.
        if (!EmailDeliveryStates.IsRetryable(m.Status)) return;
        Billing.Metrics.BillingMetrics.Failed(Stages.Email);
        await failures.RecordAsync(new NewFailure(m.RunId, m.AccountId, m.InvoiceId, Stages.Email, nameof(InvoiceEmailNotSent),
            null, null, $"{m.Status}: {m.Reason}", Activity.Current?.TraceId.ToHexString()), context.CancellationToken);
    }

    private Task Record<T>(ConsumeContext<Fault<T>> context, Guid runId, Guid accountId, Guid? invoiceId, string stage, string messageType)
    {
        var exception = context.Message.Exceptions.FirstOrDefault();
        var reason = exception is null ? "failed" : $"{exception.Message}";
        Billing.Metrics.BillingMetrics.Failed(stage);
        return failures.RecordAsync(new NewFailure(runId, accountId, invoiceId, stage, messageType, QueueOf(context), exception?.ExceptionType,
            reason, Activity.Current?.TraceId.ToHexString()), context.CancellationToken);
    }

    /// <summary>The queue the faulted consumer reads: the fault is published from its receive endpoint.</summary>
    private static string? QueueOf(ConsumeContext context)
    {
        var address = context.Headers.Get<string>("MT-Fault-InputAddress") ?? context.SourceAddress?.ToString();
        if (address is null || !Uri.TryCreate(address, UriKind.Absolute, out var uri)) return null;
        return uri.AbsolutePath.TrimEnd('/').Split('/').LastOrDefault(s => s.Length > 0);
    }
}
