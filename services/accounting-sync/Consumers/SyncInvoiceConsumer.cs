using System.Text.Json;
using Billing.Accounting;
using Billing.Contracts;
using MassTransit;
using Billing.Vocabulary;

namespace Billing.AccountingSync.Consumers;

/// <summary>
/// InvoiceFinalized → the invoice's journal entry, in batches (one transaction per batch). InvoiceSynced is
/// published after the commit, also for an invoice posted by an earlier delivery, so a lost follow-up is recovered.
/// </summary>
public sealed class SyncInvoiceConsumer(InvoiceSyncer syncer, ConnectorGate connector, ILogger<SyncInvoiceConsumer> log)
    : IConsumer<Batch<InvoiceFinalized>>
{
    public async Task Consume(ConsumeContext<Batch<InvoiceFinalized>> context)
    {
        var ct = context.CancellationToken;
        var result = await syncer.SyncAsync(context.Message.Select(m => m.Message.InvoiceId).ToList(), ct);
        foreach (var synced in result.Synced)
            await connector.PublishAsync(synced.Entry, ct);

        var byInvoice = result.Synced.ToDictionary(s => s.InvoiceId);
        var rejected = result.Rejected.ToDictionary(r => r.InvoiceId);
        // Each follow-up goes out from its own message's context (its trace) and all confirms are awaited together:
        // one at a time, the broker round trips would cap a batch at a few hundred invoices per second.
        await Task.WhenAll(context.Message.Select(item => FollowUpAsync(item, byInvoice, rejected, ct)));
    }

    async Task FollowUpAsync(ConsumeContext<InvoiceFinalized> item, Dictionary<Guid, SyncedInvoice> byInvoice,
        Dictionary<Guid, RejectedInvoice> rejected, CancellationToken ct)
    {
        var message = item.Message;
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
        consumerConfigurator.Options<BatchOptions>(o => o
            .SetMessageLimit(BatchSize)
            .SetTimeLimit(TimeSpan.FromMilliseconds(100))
            .SetConcurrencyLimit(2));
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
            rabbit.PrefetchCount = (ushort)(BatchSize * 2);
    }
}
