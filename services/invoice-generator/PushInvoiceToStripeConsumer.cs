using System.ComponentModel.DataAnnotations;
using Billing.Contracts;
using Billing.Invoicing.Infrastructure;
using Billing.Stripe;
using Billing.Vocabulary;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Billing.InvoiceGenerator;

/// <summary>
/// Pushes a finalized invoice to Stripe on its own queue, so generation stays fast and a Stripe outage
/// dead-letters only the push. Every call carries an idempotency key derived from our invoice id; once a key
/// may have expired (a redelivery, a retry, an old invoice) the invoice is looked up by metadata first.
/// </summary>
public sealed class PushInvoiceToStripeConsumer(InvoiceQueries invoices, StripeClient stripe, TimeProvider time)
    : IConsumer<InvoiceFinalized>
{
    private static readonly TimeSpan KeysMayHaveExpired = TimeSpan.FromHours(23);

    public async Task Consume(ConsumeContext<InvoiceFinalized> context)
    {
        var ct = context.CancellationToken;
        var id = context.Message.InvoiceId;
        var found = await invoices.GetAsync(id, ct) ?? throw new ValidationException($"invoice {id} does not exist");
        var (invoice, lines) = found;
        if (invoice.StripePushedAt is not null) return;

        var account = await invoices.AccountForStripeAsync(invoice.AccountId, ct);
        var customer = account.StripeCustomerId;
        if (customer is null)
        {
            var created = await stripe.CreateCustomerAsync(account.Name, account.Email,
                new Dictionary<string, string> { ["account_id"] = invoice.AccountId.ToString() }, StripeIdempotencyKeys.Customer(id), ct);
            customer = await invoices.SetAccountCustomerAsync(invoice.AccountId, created.Id, ct);
        }

        var metadata = new Dictionary<string, string>
        {
            ["invoice_id"] = id.ToString(),
            ["invoice_number"] = invoice.Number,
            ["account_id"] = invoice.AccountId.ToString(),
            ["period"] = invoice.Period,
        };
        StripeInvoice? draft = null;
        var repeat = context.ReceiveContext.Redelivered || context.GetRetryAttempt() > 0
            || time.GetUtcNow() - new DateTimeOffset(invoice.IssuedAt, TimeSpan.Zero) > KeysMayHaveExpired;
        if (repeat) draft = (await stripe.SearchInvoicesByMetadataAsync("invoice_id", id.ToString(), ct)).FirstOrDefault();
        var needsItems = draft is null || (draft.Status == "draft" && draft.Total == 0);
        if (draft is not null && draft.Status == "draft" && draft.Total != 0 && draft.Total != invoice.TotalMinor)
            throw new ValidationException($"Stripe draft {draft.Id} of invoice {id} holds part of its items; check it in Stripe");
        draft ??= await stripe.CreateInvoiceAsync(customer, invoice.Currency, metadata, StripeIdempotencyKeys.Invoice(id),
            DateOnly.FromDateTime(invoice.DueAt), ct);

        if (draft.Status == "draft")
        {
            if (needsItems)
            {
                var billable = lines.Where(l => InvoiceLineKinds.IsBillable(l.Kind) && l.AmountMinor != 0).ToList();
                foreach (var line in billable)
                    await stripe.CreateInvoiceItemAsync(customer, draft.Id, line.AmountMinor, invoice.Currency, line.Description,
                        null, StripeIdempotencyKeys.Item(id, line.LineNo), ct);
                if (invoice.TaxMinor != 0)
                    await stripe.CreateInvoiceItemAsync(customer, draft.Id, invoice.TaxMinor, invoice.Currency, $"Tax {invoice.TaxRate:0.####}%",
                        null, StripeIdempotencyKeys.Item(id, lines.Count == 0 ? 1 : lines.Max(l => l.LineNo) + 1), ct);
            }
            draft = await stripe.FinalizeInvoiceAsync(draft.Id, StripeIdempotencyKeys.Finalize(id), ct);
        }
        await invoices.SetStripeIdsAsync(id, customer, draft.Id, ct);
        Billing.Metrics.BillingMetrics.Completed(Stages.Stripe, context.ReceiveContext.ElapsedTime);
    }
}

public sealed class PushInvoiceToStripeConsumerDefinition : ConsumerDefinition<PushInvoiceToStripeConsumer>
{
    private readonly int _limit;

    public PushInvoiceToStripeConsumerDefinition(IOptions<GenerationOptions> options)
    {
        _limit = options.Value.StripeConcurrentMessageLimit;
        EndpointName = ConsumerEndpoints.PushInvoiceToStripe;
        ConcurrentMessageLimit = _limit;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PushInvoiceToStripeConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.ConcurrentMessageLimit = _limit;
    }
}
