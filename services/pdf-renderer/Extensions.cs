using Billing.Pdf;
using Billing.PdfRenderer.Consumers;
using Billing.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;
using Billing.Vocabulary;

namespace Billing.PdfRenderer;

public static class Extensions
{
    public static WebApplicationBuilder AddPdfRenderer(this WebApplicationBuilder builder)
    {
        builder.AddPdfRendererServices();
        builder.AddBillingBus(bus => bus.AddPdfRendererConsumers());
        return builder;
    }

    /// <summary>Settings, storage and the render pipeline, without the bus (tests add their own consumers beside these).</summary>
    public static IHostApplicationBuilder AddPdfRendererServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IssuerOptions>()
            .BindConfiguration(IssuerOptions.Section)
            .ValidateDataAnnotations()
            .Validate(IssuerOptions.LogoExists, "Issuer__LogoPath must name an existing PNG or JPEG file")
            .Validate(IssuerOptions.NoFreeTextTerm,
                "Issuer__PaymentTerms is no longer read: the term is Invoicing__PaymentTermDays; put how to pay in Issuer__PaymentInstructions")
            .ValidateOnStart();
        builder.Services.AddOptions<PdfRendererOptions>()
            .BindConfiguration(PdfRendererOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.AddPdfStorage();
        builder.Services.AddSingleton<InvoicePdfRenderer>();
        builder.Services.AddSingleton<PdfBufferPool>();
        builder.Services.AddSingleton<RenderGate>();
        builder.Services.AddSingleton<InvoicePdfStore>();
        builder.Services.AddSingleton<InvoicePdfService>();
        builder.Services.AddSingleton<CreditNotePdfService>();
        builder.Services.AddHostedService<PdfRendererStartupLog>();
        return builder;
    }

    public static IBusRegistrationConfigurator AddPdfRendererConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<RenderFinalizedInvoiceConsumer, RenderFinalizedInvoiceConsumerDefinition>();
        bus.AddConsumer<RenderInvoicePdfConsumer, RenderInvoicePdfConsumerDefinition>();
        bus.AddConsumer<RenderCreditNoteConsumer>().Endpoint(e => e.Name = ConsumerEndpoints.RenderCreditNote);
        return bus;
    }
}

/// <summary>Logs the effective settings once, so an operator sees where PDFs go and which fonts print them.</summary>
internal sealed class PdfRendererStartupLog(
    IOptions<PdfStorageOptions> storage, IOptions<PdfRendererOptions> renderer, IOptions<IssuerOptions> issuer,
    ILogger<PdfRendererStartupLog> log) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        var s = storage.Value;
        var where = s.UsesS3 ? $"S3 bucket {s.S3.Bucket} at {s.S3.ServiceUrl}" : $"directory {Path.GetFullPath(s.Directory)}";
        log.LogInformation("PDFs for issuer {Issuer} stored in {Storage}; {Concurrent} concurrent renders, {Messages} messages in flight per endpoint; fonts: {Fonts}",
            issuer.Value.Name, where, renderer.Value.ConcurrentRenders, renderer.Value.ConcurrentMessages, PdfFonts.Description);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
