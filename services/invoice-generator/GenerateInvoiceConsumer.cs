using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using Billing.Contracts;
using Billing.Invoicing;
using Billing.Invoicing.Infrastructure;
using Billing.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;
using Billing.Vocabulary;

namespace Billing.InvoiceGenerator;

/// <summary>
/// Computes, numbers and stores one invoice. Idempotent: an invoice already stored for (account, period) is
/// announced again (so a lost follow-up is recovered) instead of being made twice. A request of a cancelled run is
/// acknowledged and skipped.
/// </summary>
/// <remarks>
/// Its trace reads as the invoice's path: the consume span holds "read billing input", "compute invoice", "store
/// invoice" and the publish of InvoiceFinalized. The read and the store wait on work shared by a group of invoices;
/// that work is a span of its own trace, linked to these (see GroupedRequests).
/// </remarks>
public sealed class GenerateInvoiceConsumer(InvoiceStore store, BillingInputLoader loader, InvoiceBatchWriter writer, PlanCache plans, TimeProvider time,
    IOptions<InvoicingOptions> terms, ServiceInfo service) : IConsumer<GenerateInvoice>
{
    public async Task Consume(ConsumeContext<GenerateInvoice> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        if (!BillingPeriod.TryParse(m.Period, out var period))
            throw new ValidationException($"period '{m.Period}' is not a period; expected yyyy-MM");
        var consume = Activity.Current;
        consume?.SetTag("billing.account_id", m.AccountId);

        BillingInput input;
        using (service.ActivitySource.StartActivity("read billing input"))
            input = await loader.LoadAsync(m.AccountId, m.Period, ct);
        if (input.Existing is { } existing)
        {
            await AnnounceExistingAsync(context, existing);
            return;
        }
        if (!input.AccountFound) throw new ValidationException($"account {m.AccountId} does not exist");

        // The fan-out only sends billable accounts, but a request may arrive again after the account's dates
        // changed, or be published by hand: the account's dates decide, not the message.
        if (!input.IsBillableIn(period))
        {
            var why = $"not billable in {period}: billing {(input.BillingStartsOn > period.LastDay ? $"starts on {input.BillingStartsOn:yyyy-MM-dd}" : $"ended on {input.BillingEndsOn:yyyy-MM-dd}")}";
            await store.SettleAsync(m.RunId, m.AccountId, "skipped", why, ct);
            await context.Publish(new InvoiceSkipped(m.RunId, m.AccountId, m.Period, why), ct);
            return;
        }

        ComputedInvoice invoice;
        long[] lateRecords;
        using (var compute = service.ActivitySource.StartActivity("compute invoice"))
        {
            try
            {
                (invoice, lateRecords) = BillingInputPricing.Price(input, period, plans);
            }
            catch (DomainValidationException e)
            {
                compute?.SetStatus(ActivityStatusCode.Error, e.Message);
                throw new ValidationException($"account {m.AccountId}, plan {input.CurrentPlan?.Code}: {e.Message}");
            }
            compute?.SetTag("billing.invoice_lines", invoice.Lines.Count);
        }

        if (invoice.IsEmpty)
        {
            const string reason = "nothing to bill: no base fee, no priced usage, no charges";
            await store.SettleAsync(m.RunId, m.AccountId, "skipped", reason, ct);
            await context.Publish(new InvoiceSkipped(m.RunId, m.AccountId, m.Period, reason), ct);
            return;
        }

        var invoiceId = Guid.CreateVersion7();
        var dueAt = terms.Value.DueDate(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        var traceId = Activity.Current?.TraceId.ToHexString();
        string? number;
        using (var storing = service.ActivitySource.StartActivity("store invoice"))
        {
            storing?.SetTag("billing.invoice_id", invoiceId);
            try
            {
                number = await writer.InsertAsync(new NewInvoice(invoiceId, m.RunId, m.AccountId, period, input.Issuer, invoice, dueAt, traceId, lateRecords), ct);
            }
            catch (RunCancelledException)
            {
                // The run was cancelled: acknowledged, nothing stored, no number taken (a later run of the period bills it).
                consume?.SetTag("billing.run_cancelled", true);
                return;
            }
            storing?.SetTag("billing.invoice_number", number);
        }
        if (number is null)
        {
            // Another delivery of the same request stored it first.
            var stored = await store.FindAsync(m.AccountId, m.Period, ct) ?? throw new InvalidOperationException("invoice vanished");
            await AnnounceExistingAsync(context, stored);
            return;
        }
        Activity.Current?.SetTag("billing.invoice_id", invoiceId);
        await context.Publish(new InvoiceFinalized(invoiceId, m.RunId, m.AccountId, m.Period, number, invoice.TotalMinor, invoice.Currency), ct);
        Billing.Metrics.BillingMetrics.Completed(Billing.Vocabulary.Stages.Generate, context.ReceiveContext.ElapsedTime);
    }

    private async Task AnnounceExistingAsync(ConsumeContext<GenerateInvoice> context, ExistingInvoice existing)
    {
        var m = context.Message;
        await store.SettleAsync(m.RunId, m.AccountId, "generated", null, context.CancellationToken);
        await context.Publish(new InvoiceFinalized(existing.Id, existing.RunId ?? m.RunId, m.AccountId, m.Period, existing.Number,
            existing.TotalMinor, existing.Currency), context.CancellationToken);
    }
}

public sealed class GenerateInvoiceConsumerDefinition : ConsumerDefinition<GenerateInvoiceConsumer>
{
    private readonly int _limit;

    public GenerateInvoiceConsumerDefinition(IOptions<GenerationOptions> options)
    {
        _limit = options.Value.ConcurrentMessageLimit;
        EndpointName = ConsumerEndpoints.GenerateInvoice;
        ConcurrentMessageLimit = _limit;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<GenerateInvoiceConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.ConcurrentMessageLimit = _limit;
        // Enough messages on hand that the group read and the group commit always find company.
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.PrefetchCount = Math.Max(rabbit.PrefetchCount, _limit * 2);
    }
}
