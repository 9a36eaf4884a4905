using Billing.Contracts;
using Billing.Stripe;
using Dapper;
using MassTransit;
using Npgsql;

namespace Billing.InvoiceGenerator;

/// <summary>
/// One Stripe credit note per credit note, on the invoice pushed to Stripe: the idempotency key comes from the credit
/// note id, and the Stripe id is stored, so a redelivery changes nothing. A credit note of an invoice not in Stripe yet
/// (its push still queued) or not committed yet is retried. An invoice with a payment is credited to the customer's
/// balance (Stripe's post-payment credit note); an unpaid one has its amount due lowered.
/// </summary>
public sealed class PushCreditNoteToStripeConsumer(NpgsqlDataSource db, StripeClient stripe) : IConsumer<CreditNoteIssued>
{
    private const string LoadSql = """
        select c.id, c.number, c.reason, c.total_minor, trim(i.currency) as currency, c.stripe_credit_note_id, i.id as invoice_id, i.number as invoice_number, i.stripe_invoice_id,
               exists (select 1 from journal_entries e where e.invoice_id = i.id and e.source_type = 'payment') as paid
          from credit_notes c join invoices i on i.id = c.invoice_id where c.id = @id
        """;

    private const string SetStripeSql = """
        update credit_notes set stripe_credit_note_id = @stripeId, stripe_pushed_at = coalesce(stripe_pushed_at, now()) where id = @id
        """;

    public async Task Consume(ConsumeContext<CreditNoteIssued> context)
    {
        var ct = context.CancellationToken;
        var m = context.Message;
        await using var conn = await db.OpenConnectionAsync(ct);
        var note = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(LoadSql, new { id = m.CreditNoteId }, cancellationToken: ct))
            ?? throw new InvalidOperationException($"credit note {m.CreditNoteId} ({m.Number}) does not exist (yet)");
        if (note.StripeCreditNoteId is not null) return;
        if (note.StripeInvoiceId is null)
            throw new InvalidOperationException($"invoice {note.InvoiceNumber} of credit note {note.Number} is not in Stripe yet");
        var created = await stripe.CreateCreditNoteAsync(note.StripeInvoiceId, note.TotalMinor, note.Currency,
            $"Credit note {note.Number} ({note.Reason.Replace('_', ' ')})", note.Paid ? note.TotalMinor : 0,
            new Dictionary<string, string>
            {
                ["credit_note_id"] = note.Id.ToString(), ["credit_note_number"] = note.Number, ["invoice_id"] = note.InvoiceId.ToString(),
                ["reason"] = note.Reason,
            },
            StripeCorrectionKeys.CreditNote(note.Id), ct);
        await conn.ExecuteAsync(new CommandDefinition(SetStripeSql, new { id = note.Id, stripeId = created.Id }, cancellationToken: ct));
    }

    private sealed record Row
    {
        public Guid Id { get; init; }
        public string Number { get; init; } = "";
        public string Reason { get; init; } = "";
        public long TotalMinor { get; init; }
        public string Currency { get; init; } = "";
        public string? StripeCreditNoteId { get; init; }
        public Guid InvoiceId { get; init; }
        public string InvoiceNumber { get; init; } = "";
        public string? StripeInvoiceId { get; init; }
        public bool Paid { get; init; }
    }
}
