using Billing.Contracts;
using Billing.Mailer.Delivery;
using MassTransit;

namespace Billing.Mailer.Consumers;

/// <summary>A credit note's PDF is stored: email it (once).</summary>
public sealed class CreditNotePdfRenderedConsumer(CreditNoteMailer mailer) : IConsumer<CreditNotePdfRendered>
{
    public Task Consume(ConsumeContext<CreditNotePdfRendered> context) => mailer.DeliverAsync(context.Message, context.CancellationToken);
}
