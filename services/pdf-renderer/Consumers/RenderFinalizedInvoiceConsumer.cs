using Billing.Contracts;
using Billing.Pdf;
using MassTransit;
using Microsoft.Extensions.Options;
using Billing.Vocabulary;

namespace Billing.PdfRenderer.Consumers;

/// <summary>
/// First render of a finalized invoice. A redelivery finds the PDF recorded and stored, does not render again, and
/// re-publishes the same event so a follow-up lost after the first render is recovered; the mailer keeps one
/// delivery per invoice, so the repeat cannot cause a second email.
/// </summary>
public sealed class RenderFinalizedInvoiceConsumer(InvoicePdfService pdfs, TimeProvider time) : IConsumer<InvoiceFinalized>
{
    public async Task Consume(ConsumeContext<InvoiceFinalized> context)
    {
        var m = context.Message;
        PdfRenderOutcome outcome;
        try
        {
            outcome = await pdfs.RenderAsync(m.InvoiceId, force: false, context.CancellationToken);
        }
        catch (InvoiceDocumentException e)
        {
            throw await PdfRenderFailures.ReportAsync(context, m.InvoiceId, e, time, m.AccountId, m.RunId);
        }
        var s = outcome.Stored;
        await context.Publish(new InvoicePdfRendered(outcome.InvoiceId, outcome.RunId, outcome.AccountId, s.Key, s.Size, s.Sha256, Rerender: false));
        Billing.Metrics.BillingMetrics.Completed(Billing.Vocabulary.Stages.Render, context.ReceiveContext.ElapsedTime);
    }
}

public sealed class RenderFinalizedInvoiceConsumerDefinition : ConsumerDefinition<RenderFinalizedInvoiceConsumer>
{
    public RenderFinalizedInvoiceConsumerDefinition(IOptions<PdfRendererOptions> options)
    {
        EndpointName = ConsumerEndpoints.RenderFinalizedInvoice;
        ConcurrentMessageLimit = options.Value.ConcurrentMessages;
    }
}
