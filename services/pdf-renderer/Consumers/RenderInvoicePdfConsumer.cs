using Billing.Contracts;
using Billing.Pdf;
using MassTransit;
using Microsoft.Extensions.Options;
using Billing.Vocabulary;

namespace Billing.PdfRenderer.Consumers;

/// <summary>An operator's re-render: always renders, and flags the event so the mailer does not email again.</summary>
public sealed class RenderInvoicePdfConsumer(InvoicePdfService pdfs, TimeProvider time, ILogger<RenderInvoicePdfConsumer> log)
    : IConsumer<RenderInvoicePdf>
{
    public async Task Consume(ConsumeContext<RenderInvoicePdf> context)
    {
        var m = context.Message;
        log.LogInformation("Re-rendering invoice {InvoiceId}: {Reason}", m.InvoiceId, m.Reason);
        PdfRenderOutcome outcome;
        try
        {
            outcome = await pdfs.RenderAsync(m.InvoiceId, force: true, context.CancellationToken);
        }
        catch (InvoiceDocumentException e)
        {
            throw await PdfRenderFailures.ReportAsync(context, m.InvoiceId, e, time);
        }
        var s = outcome.Stored;
        await context.Publish(new InvoicePdfRendered(outcome.InvoiceId, outcome.RunId, outcome.AccountId, s.Key, s.Size, s.Sha256, Rerender: true));
    }
}

public sealed class RenderInvoicePdfConsumerDefinition : ConsumerDefinition<RenderInvoicePdfConsumer>
{
    public RenderInvoicePdfConsumerDefinition(IOptions<PdfRendererOptions> options)
    {
        EndpointName = ConsumerEndpoints.RenderInvoicePdf;
        ConcurrentMessageLimit = options.Value.ConcurrentMessages;
    }
}
