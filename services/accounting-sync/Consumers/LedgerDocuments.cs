using System.Diagnostics;
using System.Text.Json;
using Billing.Ledger.Infrastructure;
using Billing.Contracts;
using Billing.Ledger;
using MassTransit;

namespace Billing.AccountingSync.Consumers;

/// <summary>
/// Shared path of payment, refund and dispute consumers: post under the invoice's lock, push to the connector,
/// publish LedgerEntryPosted. A rule violation or an unknown invoice is recorded (ErrorReported) and the message is
/// done: retrying cannot change the answer, and the ledger is left as it was.
/// </summary>
public sealed class LedgerDocuments(DocumentPoster poster, ConnectorGate connector, ILogger<LedgerDocuments> log)
{
    public async Task PostAsync<T>(ConsumeContext<T> context, Guid invoiceId, string sourceType, string sourceId, string rejectCode,
        Func<InvoiceBalance, JournalEntry> rule)
        where T : class
    {
        var ct = context.CancellationToken;
        PostedDocument posted;
        try
        {
            posted = await poster.PostAsync(invoiceId, sourceType, sourceId,
                balance => rule(balance) with { TraceId = Activity.Current?.TraceId.ToString() }, ct);
        }
        catch (LedgerRuleException ex)
        {
            log.LogWarning("{SourceType} {SourceId} of invoice {InvoiceId} refused: {Reason}", sourceType, sourceId, invoiceId, ex.Reason);
            await ErrorReports.PublishAsync(context, "ledger_rule_violation", rejectCode, ex.Reason, invoiceId,
                payloadJson: JsonSerializer.Serialize(context.Message), ct: ct);
            return;
        }
        catch (UnknownInvoiceException ex)
        {
            log.LogWarning("{SourceType} {SourceId}: {Reason}", sourceType, sourceId, ex.Message);
            await ErrorReports.PublishAsync(context, "ledger_rule_violation", "unknown_invoice", ex.Message, invoiceId,
                payloadJson: JsonSerializer.Serialize(context.Message), ct: ct);
            return;
        }
        await connector.PublishAsync(posted.Entry, ct);
        await context.Publish(new LedgerEntryPosted(posted.Entry.Id, posted.Entry.SourceType, posted.Entry.SourceId, invoiceId), ct);
    }
}

public sealed class PostPaymentConsumer(LedgerDocuments documents) : IConsumer<PaymentSucceeded>
{
    public Task Consume(ConsumeContext<PaymentSucceeded> context)
    {
        var m = context.Message;
        return documents.PostAsync(context, m.InvoiceId, SourceTypes.Payment, m.SourceEventId, "payment_rejected",
            balance => PostingRules.ForPayment(m.SourceEventId, balance, m.AmountMinor, m.Currency, m.OccurredAt));
    }
}

/// <summary>A refund becomes a credit note: to cash when it was paid, off the receivable when nothing was paid.</summary>
public sealed class PostRefundConsumer(LedgerDocuments documents) : IConsumer<RefundCreated>
{
    public Task Consume(ConsumeContext<RefundCreated> context)
    {
        var m = context.Message;
        return documents.PostAsync(context, m.InvoiceId, SourceTypes.Refund, m.RefundId, "refund_rejected",
            balance => PostingRules.ForRefund(m.RefundId, balance, m.AmountMinor, m.Currency,
                RefundPolicy.ToReceivable(balance, m.AmountMinor), m.OccurredAt));
    }
}

/// <summary>A lost dispute is its own entry; other dispute states change no money yet and are recorded.</summary>
public sealed class PostDisputeConsumer(LedgerDocuments documents, ILogger<PostDisputeConsumer> log) : IConsumer<DisputeUpdated>
{
    public async Task Consume(ConsumeContext<DisputeUpdated> context)
    {
        var m = context.Message;
        if (m.Status == "lost")
        {
            await documents.PostAsync(context, m.InvoiceId, SourceTypes.Dispute, m.DisputeId, "dispute_rejected",
                balance => PostingRules.ForDisputeLost(m.DisputeId, balance, m.AmountMinor, m.Currency, m.OccurredAt));
            return;
        }
        log.LogInformation("dispute {DisputeId} of invoice {InvoiceId} is {Status}", m.DisputeId, m.InvoiceId, m.Status);
        await ErrorReports.PublishAsync(context, "dispute", "dispute_" + m.Status,
            $"dispute {m.DisputeId} of invoice {m.InvoiceId} is {m.Status} ({m.AmountMinor} {m.Currency} minor units at stake)",
            m.InvoiceId, payloadJson: JsonSerializer.Serialize(m), at: m.OccurredAt, ct: context.CancellationToken);
    }
}

/// <summary>A failed payment moves no money: the invoice stays open and the failure is recorded.</summary>
public sealed class RecordPaymentFailedConsumer(DocumentPoster poster) : IConsumer<PaymentFailed>
{
    public async Task Consume(ConsumeContext<PaymentFailed> context)
    {
        var m = context.Message;
        var status = await poster.StatusAsync(m.InvoiceId, context.CancellationToken);
        await ErrorReports.PublishAsync(context, "payment_failed", status is null ? "unknown_invoice" : "payment_failed",
            $"payment of invoice {m.InvoiceId} failed: {m.Reason}" + (status is null ? " (invoice unknown)" : $" (status stays {status})"),
            m.InvoiceId, payloadJson: JsonSerializer.Serialize(m), at: m.OccurredAt, ct: context.CancellationToken);
    }
}

public sealed class MarkUncollectibleConsumer(DocumentPoster poster, ILogger<MarkUncollectibleConsumer> log) : IConsumer<InvoiceMarkedUncollectible>
{
    public async Task Consume(ConsumeContext<InvoiceMarkedUncollectible> context)
    {
        var m = context.Message;
        try
        {
            var status = await poster.MarkUncollectibleAsync(m.InvoiceId, context.CancellationToken);
            log.LogInformation("invoice {InvoiceId} marked uncollectible in Stripe; status {Status}", m.InvoiceId, status);
        }
        catch (UnknownInvoiceException ex)
        {
            await ErrorReports.PublishAsync(context, "ledger_rule_violation", "unknown_invoice", ex.Message, m.InvoiceId,
                payloadJson: JsonSerializer.Serialize(m), ct: context.CancellationToken);
        }
    }
}
