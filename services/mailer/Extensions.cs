using Billing.Mail;
using Billing.Pdf;
using Billing.Mailer.Consumers;
using Billing.Mailer.Delivery;
using Billing.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;
using Billing.Vocabulary;

namespace Billing.Mailer;

public static class Extensions
{
    public static WebApplicationBuilder AddMailer(this WebApplicationBuilder builder)
    {
        builder.AddMailerServices();
        builder.AddBillingBus(bus => bus.AddMailerConsumers());
        return builder;
    }

    public static void AddMailerConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<InvoicePdfRenderedConsumer, InvoicePdfRenderedConsumerDefinition>();
        bus.AddConsumer<ResendInvoiceEmailConsumer, ResendInvoiceEmailConsumerDefinition>();
        bus.AddConsumer<CreditNotePdfRenderedConsumer>().Endpoint(e => e.Name = ConsumerEndpoints.CreditNotePdfRendered);
    }

    /// <summary>Everything but the bus: settings, SMTP pool, PDF storage, stores.</summary>
    public static IHostApplicationBuilder AddMailerServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SmtpOptions>>(new OptionsCheck<SmtpOptions>(SmtpOptions.Check));
        builder.Services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MailOptions>>(new OptionsCheck<MailOptions>(MailOptions.Check));

        builder.Services.AddSingleton<ISmtpSender>(sp => new PooledSmtpSender(sp.GetRequiredService<IOptions<SmtpOptions>>().Value));
        builder.Services.AddSingleton(sp => new InvoiceEmailComposer(sp.GetRequiredService<IOptions<MailOptions>>().Value));
        builder.Services.AddSingleton<EmailSuppressionStore>();
        builder.Services.AddSingleton<MailerStore>();
        builder.Services.AddSingleton<InvoiceMailer>();
        builder.Services.AddSingleton(sp => new CreditNoteEmailComposer(sp.GetRequiredService<IOptions<MailOptions>>().Value));
        builder.Services.AddSingleton<CreditNoteMailer>();
        builder.Services.AddHealthChecks().AddCheck<SmtpHealthCheck>("smtp");
        builder.AddPdfStorage();
        return builder;
    }
}
