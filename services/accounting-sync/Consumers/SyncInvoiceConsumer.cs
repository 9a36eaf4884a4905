using System.Diagnostics;
using System.Text.Json;
using Billing.Ledger.Infrastructure;
using Billing.Contracts;
using Billing.ServiceDefaults;
using MassTransit;
using Billing.Vocabulary;

namespace Billing.AccountingSync.Consumers;

/// <summary>
/// InvoiceFinalized → the invoice's journal entry, in batches (one transaction per batch). InvoiceSynced is
/// published after the commit, also for an invoice posted by an earlier delivery, so a lost follow-up is recovered.
/// </summary>
/// <remarks>
/// Tracing: the batch's work (its transaction, the connector) is one "sync invoices" span in a trace of its own,
/// carrying the batch size and linked to each message's receive span; each invoice's follow-up is a "sync invoice"
/// span under its own message's receive span, so an invoice's trace holds its sync and nothing of the others.
/// </remarks>
public sealed class SyncInvoiceConsumer(InvoiceSyncer syncer, ConnectorGate connector, ServiceInfo service, ILogger<SyncInvoiceConsumer> log)
    : IConsumer<Batch<InvoiceFinalized>>
{
    public async Task Consume(ConsumeContext<Batch<InvoiceFinalized>> context)
    {
        var ct = context.CancellationToken;
        SyncBatchResult result;
        Activity.Current = null;
        using (var group = StartGroupSpan(context.Message))
        {
            result = await syncer.SyncAsync(context.Message.Select(m => m.Message.InvoiceId).ToList(), ct);
            foreach (var synced in result.Synced)
                await connector.PublishAsync(synced.Entry, ct);
        }

        var byInvoice = result.Synced.ToDictionary(s => s.InvoiceId);
        var rejected = result.Rejected.ToDictionary(r => r.InvoiceId);
        // Each follow-up goes out from its own message's context (its trace) and all confirms are awaited together:
        // one at a time, the broker round trips would cap a batch at a few hundred invoices per second.
        await Task.WhenAll(context.Message.Select(item => FollowUpAsync(item, byInvoice, rejected, ct)));
    }

    private Activity? StartGroupSpan(Batch<InvoiceFinalized> batch)
    {
        if (!service.ActivitySource.HasListeners()) return null;
        var links = new List<ActivityLink>(batch.Length);
        foreach (var item in batch)
            if (MessageSpan.Of(item) is { } span) links.Add(new ActivityLink(span));
        var group = service.ActivitySource.StartActivity("sync invoices", ActivityKind.Internal, parentContext: default, links: links);
        group?.SetTag("billing.group_size", batch.Length);
        return group;
    }

    async Task FollowUpAsync(ConsumeContext<InvoiceFinalized> item, Dictionary<Guid, SyncedInvoice> byInvoice,
        Dictionary<Guid, RejectedInvoice> rejected, CancellationToken ct)
    {
        var message = item.Message;
        // Under this message's own span, not the batch's: this async method's change of Activity.Current stays in it.
        Activity.Current = null;
        using var span = MessageSpan.Of(item) is { } parent
            ? service.ActivitySource.StartActivity("sync invoice", ActivityKind.Internal, parent)
            : null;
        span?.SetTag(BillingIdsInLogs.InvoiceId, message.InvoiceId.ToString("D"));
        if (byInvoice.TryGetValue(message.InvoiceId, out var synced))
        {
            await item.Publish(new InvoiceSynced(message.InvoiceId, message.RunId, synced.Entry.Id), ct);
            Billing.Metrics.BillingMetrics.Completed(Billing.Vocabulary.Stages.Sync, item.ReceiveContext.ElapsedTime);
        }
        else if (rejected.TryGetValue(message.InvoiceId, out var rule))
        {
            log.LogWarning("invoice {InvoiceId} cannot be posted: {Reason}", message.InvoiceId, rule.Reason);
            await ErrorReports.PublishAsync(item, "ledger_rule_violation", "invoice_rejected", rule.Reason,
                message.InvoiceId, message.AccountId, message.RunId, JsonSerializer.Serialize(message), ct: ct);
        }
        else
        {
            log.LogWarning("invoice {InvoiceId} of InvoiceFinalized does not exist", message.InvoiceId);
            await ErrorReports.PublishAsync(item, "ledger_rule_violation", "unknown_invoice",
                $"InvoiceFinalized names invoice {message.InvoiceId}, which is not in the invoices table",
                message.InvoiceId, message.AccountId, message.RunId, JsonSerializer.Serialize(message), ct: ct);
        }
    }
}

public sealed class SyncInvoiceConsumerDefinition : ConsumerDefinition<SyncInvoiceConsumer>
{
    public const int BatchSize = 100;

    public SyncInvoiceConsumerDefinition() => EndpointName = ConsumerEndpoints.SyncInvoice;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<SyncInvoiceConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // A batch shares one transaction: database writes are what limits ledger throughput.
        // Each message keeps its own span for its follow-up, and the batch is not delivered under the last one's.
        endpointConfigurator.UseFilter(new MessageSpan.Filter());
        consumerConfigurator.Options<BatchOptions>(o => o
            .SetMessageLimit(BatchSize)
            .SetTimeLimit(TimeSpan.FromMilliseconds(100))
            .SetConcurrencyLimit(2));
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
            rabbit.PrefetchCount = (ushort)(BatchSize * 2);
    }
}

/// <summary>
/// The receive span of a message that is consumed in a batch. MassTransit delivers a batch under the span of the
/// last message added, which would put the batch's work into that one invoice's trace: the filter keeps each
/// message's span aside and hands the batch none.
/// </summary>
public sealed class MessageSpan(ActivityContext context)
{
    public ActivityContext Context { get; } = context;

    public static ActivityContext? Of(ConsumeContext message) =>
        message.ReceiveContext.TryGetPayload<MessageSpan>(out var span) && span.Context != default ? span.Context : null;

    public sealed class Filter : IFilter<ConsumeContext>
    {
        public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
        {
            var current = Activity.Current;
            context.ReceiveContext.GetOrAddPayload(() => new MessageSpan(current?.Context ?? default));
            return WithoutCurrent(context, next);
        }

        private static async Task WithoutCurrent(ConsumeContext context, IPipe<ConsumeContext> next)
        {
            Activity.Current = null;
            await next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("messageSpan");
    }
}
