using Billing.Ledger.Infrastructure;
using Billing.AccountingSync.Consumers;
using Billing.AccountingSync.Reconciliation;
using Billing.ServiceDefaults;
using MassTransit;
using Billing.Vocabulary;

namespace Billing.AccountingSync;

public static class Extensions
{
    public static WebApplicationBuilder AddAccountingSync(this WebApplicationBuilder builder)
    {
        builder.AddBillingBus(bus =>
        {
            bus.AddConsumer<SyncInvoiceConsumer, SyncInvoiceConsumerDefinition>();
            bus.AddConsumer<PostPaymentConsumer>().Endpoint(e => e.Name = ConsumerEndpoints.PostPayment);
            bus.AddConsumer<PostRefundConsumer>().Endpoint(e => e.Name = ConsumerEndpoints.PostRefund);
            bus.AddConsumer<PostDisputeConsumer>().Endpoint(e => e.Name = ConsumerEndpoints.PostDispute);
            bus.AddConsumer<RecordPaymentFailedConsumer>().Endpoint(e => e.Name = ConsumerEndpoints.RecordPaymentFailed);
            bus.AddConsumer<MarkUncollectibleConsumer>().Endpoint(e => e.Name = ConsumerEndpoints.MarkUncollectible);
            bus.AddConsumer<PostCreditNoteConsumer>().Endpoint(e => e.Name = ConsumerEndpoints.PostCreditNote);
            bus.AddConsumer<PostVoidConsumer>().Endpoint(e => e.Name = ConsumerEndpoints.PostVoid);
        });
        builder.Services.AddAccounting();
        builder.Services.AddSingleton<LedgerDocuments>();
        builder.Services.AddOptions<ReconcileOptions>()
            .BindConfiguration(ReconcileOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => ReconcileOptions.IsValidTime(o.DailyAtUtc), "Reconcile__DailyAtUtc must be a UTC time of day written HH:mm, e.g. 06:00")
            .ValidateOnStart();
        builder.Services.AddHostedService<DailyReconciliation>();
        return builder;
    }
}
