using Billing.Contracts;
using Billing.Stripe;
using Dapper;
using MassTransit;
using Npgsql;

namespace Billing.InvoiceGenerator;

/// <summary>
/// Voids the Stripe invoice of a voided invoice, once (idempotency key from the invoice id, and the time stored). An
/// invoice whose push to Stripe is still queued is retried, so a void right after generation still reaches Stripe.
/// </summary>
public sealed class VoidInvoiceInStripeConsumer(NpgsqlDataSource db, StripeClient stripe) : IConsumer<InvoiceVoided>
{
    private const string LoadSql = "select number, status, stripe_invoice_id, stripe_voided_at from invoices where id = @id";

    private const string SetVoidedSql = "update invoices set stripe_voided_at = coalesce(stripe_voided_at, now()) where id = @id";

    public async Task Consume(ConsumeContext<InvoiceVoided> context)
    {
        var ct = context.CancellationToken;
        var id = context.Message.InvoiceId;
        await using var conn = await db.OpenConnectionAsync(ct);
        var invoice = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(LoadSql, new { id }, cancellationToken: ct))
            ?? throw new InvalidOperationException($"invoice {id} does not exist");
        if (invoice.StripeVoidedAt is not null) return;
        if (invoice.Status != "void") throw new InvalidOperationException($"invoice {invoice.Number} is {invoice.Status}, not void (yet)");
        if (invoice.StripeInvoiceId is null) throw new InvalidOperationException($"invoice {invoice.Number} is not in Stripe yet");
        await stripe.VoidInvoiceAsync(invoice.StripeInvoiceId, StripeCorrectionKeys.Void(id), ct);
        await conn.ExecuteAsync(new CommandDefinition(SetVoidedSql, new { id }, cancellationToken: ct));
    }

    private sealed record Row
    {
        public string Number { get; init; } = "";
        public string Status { get; init; } = "";
        public string? StripeInvoiceId { get; init; }
        public DateTime? StripeVoidedAt { get; init; }
    }
}
