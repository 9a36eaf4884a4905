using Billing.Contracts;
using Billing.Mailer.Delivery;
using MassTransit;
using Billing.Vocabulary;

namespace Billing.Mailer.Consumers;

/// <summary>A rendered PDF: email the invoice (once), and fulfil resends that waited for it.</summary>
public sealed class InvoicePdfRenderedConsumer(InvoiceMailer mailer) : IConsumer<InvoicePdfRendered>
{
    public Task Consume(ConsumeContext<InvoicePdfRendered> context) => mailer.OnPdfRenderedAsync(context);
}

public sealed class InvoicePdfRenderedConsumerDefinition : ConsumerDefinition<InvoicePdfRenderedConsumer>
{
    // Enough in flight to keep the SMTP pool busy while others wait on the database; each holds one connection.
    public const int Concurrency = 16;

    public InvoicePdfRenderedConsumerDefinition()
    {
        EndpointName = ConsumerEndpoints.InvoicePdfRendered;
        ConcurrentMessageLimit = Concurrency;
    }
}
