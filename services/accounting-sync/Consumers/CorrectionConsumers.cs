using System.Diagnostics;
using Billing.Ledger.Infrastructure;
using Billing.Contracts;
using MassTransit;

namespace Billing.AccountingSync.Consumers;

/// <summary>
/// A credit note → its journal entry (contra-revenue and tax payable debited, receivable credited), once. A credit
/// note not found yet (its API transaction still committing) or an invoice whose own entry is not posted yet is
/// retried by the bus; the entry then goes to the connector and LedgerEntryPosted follows, also on a redelivery.
/// </summary>
public sealed class PostCreditNoteConsumer(CorrectionPoster poster, ConnectorGate connector, TimeProvider time) : IConsumer<CreditNoteIssued>
{
    public async Task Consume(ConsumeContext<CreditNoteIssued> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var (entry, _) = await poster.PostCreditNoteAsync(m.CreditNoteId, m.InvoiceId, time.GetUtcNow(), Activity.Current?.TraceId.ToString(), ct);
        await connector.PublishAsync(entry, ct);
        await context.Publish(new LedgerEntryPosted(entry.Id, entry.SourceType, entry.SourceId, m.InvoiceId), ct);
    }
}

/// <summary>A voided invoice → the reversal of its entry, line by line, once.</summary>
public sealed class PostVoidConsumer(CorrectionPoster poster, ConnectorGate connector) : IConsumer<InvoiceVoided>
{
    public async Task Consume(ConsumeContext<InvoiceVoided> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var (entry, _) = await poster.PostVoidAsync(m.InvoiceId, m.VoidedAt, Activity.Current?.TraceId.ToString(), ct);
        await connector.PublishAsync(entry, ct);
        await context.Publish(new LedgerEntryPosted(entry.Id, entry.SourceType, entry.SourceId, m.InvoiceId), ct);
    }
}
