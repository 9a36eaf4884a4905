using Billing.Accounting;
using Billing.AccountingSync.Consumers;
using Billing.AccountingSync.Reconciliation;
using Billing.ServiceDefaults;
using MassTransit;

namespace Billing.AccountingSync;

public static class Extensions
{
    public static WebApplicationBuilder AddAccountingSync(this WebApplicationBuilder builder)
    {
        builder.AddBillingBus(bus =>
        {
            bus.AddConsumer<SyncInvoiceConsumer, SyncInvoiceConsumerDefinition>();
            bus.AddConsumer<PostPaymentConsumer>();
            bus.AddConsumer<PostRefundConsumer>();
            bus.AddConsumer<PostDisputeConsumer>();
            bus.AddConsumer<RecordPaymentFailedConsumer>();
            bus.AddConsumer<MarkUncollectibleConsumer>();
            bus.AddConsumer<PostCreditNoteConsumer>();
            bus.AddConsumer<PostVoidConsumer>();
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
