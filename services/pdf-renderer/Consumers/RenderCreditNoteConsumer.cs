using Billing.Contracts;
using MassTransit;

namespace Billing.PdfRenderer.Consumers;

/// <summary>
/// A credit note's PDF, once; a redelivery keeps the stored PDF and announces it again (the mailer sends one email
/// per credit note). A credit note not found yet is retried: its API transaction may still be committing.
/// </summary>
public sealed class RenderCreditNoteConsumer(CreditNotePdfService pdfs) : IConsumer<CreditNoteIssued>
{
    public async Task Consume(ConsumeContext<CreditNoteIssued> context)
    {
        var m = context.Message;
        var rendered = await pdfs.RenderAsync(m.CreditNoteId, context.CancellationToken)
            ?? throw new InvalidOperationException($"credit note {m.CreditNoteId} ({m.Number}) does not exist (yet)");
        var s = rendered.Stored;
        await context.Publish(new CreditNotePdfRendered(m.CreditNoteId, rendered.InvoiceId, rendered.AccountId, s.Key, s.Size, s.Sha256),
            context.CancellationToken);
    }
}
