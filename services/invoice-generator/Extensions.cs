using Billing.Redrive;
using Billing.Invoicing.Infrastructure;
using Billing.ServiceDefaults;
using Billing.Stripe;
using MassTransit;
using Microsoft.Extensions.Options;
using Billing.Vocabulary;

namespace Billing.InvoiceGenerator;

public static class Extensions
{
    public static WebApplicationBuilder AddInvoiceGenerator(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<GenerationOptions>().BindConfiguration(GenerationOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<RunStore>();
        builder.Services.AddSingleton<InvoiceStore>();
        builder.Services.AddSingleton<InvoiceQueries>();
        builder.Services.AddSingleton<FailureStore>();
        builder.Services.AddSingleton<RunProgressQuery>();
        builder.Services.AddSingleton<PlanCache>();
        builder.Services.AddSingleton(sp => new BillingInputLoader(sp.GetRequiredService<Npgsql.NpgsqlDataSource>(),
            sp.GetRequiredService<IOptions<GenerationOptions>>().Value.ConcurrentMessageLimit));
        builder.Services.AddSingleton(sp => new InvoiceBatchWriter(sp.GetRequiredService<Npgsql.NpgsqlDataSource>(),
            sp.GetRequiredService<InvoiceStore>(), sp.GetRequiredService<IOptions<GenerationOptions>>().Value.WriteBatchSize));
        builder.Services.AddRedriveCore();
        builder.Services.AddSingleton<RunDeadLetterQuery>();
        builder.Services.AddHostedService<RunCompletionService>();

        // Stripe is optional: without Stripe__ApiKey invoices are not pushed (and no push queue exists).
        var stripeEnabled = !string.IsNullOrWhiteSpace(builder.Configuration["Stripe:ApiKey"]);
        if (stripeEnabled)
        {
            builder.Services.AddOptions<StripeOptions>().BindConfiguration("Stripe").ValidateDataAnnotations()
                .Validate(o => Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https",
                    "Stripe__BaseUrl must be an absolute http(s) URL")
                .ValidateOnStart();
            // Stripe__RequestsPerSecond is the budget of every replica together, kept in PostgreSQL.
            builder.Services.AddSingleton(sp =>
            {
                var options = sp.GetRequiredService<IOptions<StripeOptions>>().Value;
                var time = sp.GetRequiredService<TimeProvider>();
                return new StripeClient(options, time,
                    new StripeRequestBudget(sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), options.RequestsPerSecond, time));
            });
        }

        builder.AddBillingBus(bus =>
        {
            bus.AddConsumer<StartInvoiceRunConsumer>().Endpoint(e => e.Name = ConsumerEndpoints.StartInvoiceRun);
            bus.AddConsumer<GenerateInvoiceConsumer, GenerateInvoiceConsumerDefinition>();
            bus.AddConsumer<StageFailureConsumer>().Endpoint(e => e.Name = ConsumerEndpoints.StageFailure);
            if (stripeEnabled)
            {
                bus.AddConsumer<PushInvoiceToStripeConsumer, PushInvoiceToStripeConsumerDefinition>();
                bus.AddConsumer<PushCreditNoteToStripeConsumer>().Endpoint(e => e.Name = ConsumerEndpoints.PushCreditNoteToStripe);
                bus.AddConsumer<VoidInvoiceInStripeConsumer>().Endpoint(e => e.Name = ConsumerEndpoints.VoidInvoiceInStripe);
            }
        });
        return builder;
    }
}
