using Billing.Contracts;
using Billing.Stripe;
using Npgsql;
using Charge = Stripe.Charge;
using Dispute = Stripe.Dispute;
using Invoice = Stripe.Invoice;
using StripeEvent = Stripe.Event;

namespace Billing.Ledger.Infrastructure;

/// <summary>What a verified Stripe event becomes: internal messages to publish, and the outcome stored with the event.</summary>
public sealed record WebhookTranslation(string Outcome, string? Reason, Guid? InvoiceId, IReadOnlyList<object> Messages)
{
    public const string Posted = "posted";
    public const string Ignored = "ignored";
    public const string Rejected = "rejected";

    public static WebhookTranslation Ignore(string reason) => new(Ignored, reason, null, []);
    public static WebhookTranslation Reject(string reason, Guid? invoiceId = null) => new(Rejected, reason, invoiceId, []);
}

/// <summary>
/// Turns Stripe events (read into Stripe.net's types) into the internal events accounting-sync consumes. Our invoice is
/// found by <c>metadata.billing_invoice_id</c>, else by the Stripe invoice id stored on our invoice. Charges and disputes
/// name no invoice in the API version we read (Stripe dropped <c>charge.invoice</c>): they name a payment intent, and the
/// invoice payments of that payment intent name the invoice it paid, which the Stripe client looks up.
/// </summary>
public sealed class StripeWebhookTranslator(NpgsqlDataSource dataSource, StripeClient? stripe = null)
{
    public const string InvoiceMetadataKey = "billing_invoice_id";

    const string ByIdSql = "select id from invoices where id = @id";
    const string ByStripeIdSql = "select id from invoices where stripe_invoice_id = @stripe_id limit 2";

    public async Task<WebhookTranslation> TranslateAsync(StripeEvent evt, CancellationToken ct)
    {
        var created = Created(evt);
        switch (evt.Type)
        {
            case "invoice.paid":
            case "invoice.payment_failed":
            case "invoice.marked_uncollectible":
            {
                if (evt.Data?.Object is not Invoice invoice)
                    return WebhookTranslation.Reject($"{evt.Type} event {evt.Id} carries no invoice object");
                var invoiceId = await FindInvoiceAsync(invoice.Metadata, invoice.Id, ct);
                if (invoiceId is null)
                    return WebhookTranslation.Reject(UnknownInvoice(invoice.Metadata, invoice.Id));
                object message = evt.Type switch
                {
                    "invoice.paid" => Paid(evt, invoice, invoiceId.Value, created),
                    "invoice.payment_failed" => new PaymentFailed(evt.Id, invoiceId.Value, invoice.LastFinalizationError?.Message ?? "payment failed", created),
                    _ => new InvoiceMarkedUncollectible(evt.Id, invoiceId.Value, created),
                };
                return message is string reason
                    ? WebhookTranslation.Reject(reason, invoiceId)
                    : new WebhookTranslation(WebhookTranslation.Posted, null, invoiceId, [message]);
            }
            case "charge.refunded":
                return evt.Data?.Object is Charge charge
                    ? await RefundsAsync(evt, charge, created, ct)
                    : WebhookTranslation.Reject($"{evt.Type} event {evt.Id} carries no charge object");
            default:
                if (evt.Type.StartsWith("charge.dispute.", StringComparison.Ordinal))
                    return evt.Data?.Object is Dispute dispute
                        ? await DisputeAsync(evt, dispute, created, ct)
                        : WebhookTranslation.Reject($"{evt.Type} event {evt.Id} carries no dispute object");
                return WebhookTranslation.Ignore($"event type {evt.Type} is not used");
        }
    }

    static DateTimeOffset Created(StripeEvent evt) => new(DateTime.SpecifyKind(evt.Created, DateTimeKind.Utc));

    static object Paid(StripeEvent evt, Invoice invoice, Guid invoiceId, DateTimeOffset created)
    {
        if (invoice.AmountPaid is not > 0)
            return $"invoice.paid {invoice.Id} has no positive amount_paid";
        if (string.IsNullOrEmpty(invoice.Currency))
            return $"invoice.paid {invoice.Id} has no currency";
        return new PaymentSucceeded(evt.Id, invoiceId, StripeAmounts.FromStripe(invoice.AmountPaid, invoice.Currency), invoice.Currency.ToUpperInvariant(), created);
    }

    async Task<WebhookTranslation> RefundsAsync(StripeEvent evt, Charge charge, DateTimeOffset created, CancellationToken ct)
    {
        var chargeId = charge.Id ?? "(no id)";
        var (invoiceId, unknown) = await FindPaidInvoiceAsync(charge.Metadata, charge.PaymentIntentId, $"charge {chargeId}", ct);
        if (invoiceId is null)
            return WebhookTranslation.Reject(unknown!);
        if (string.IsNullOrEmpty(charge.Currency))
            return WebhookTranslation.Reject($"charge {chargeId} has no currency", invoiceId);
        var currency = charge.Currency.ToUpperInvariant();
        var refunds = new List<(string Id, long Amount)>();
        foreach (var refund in charge.Refunds?.Data ?? [])
        {
            if (string.IsNullOrEmpty(refund.Id) || refund.Amount <= 0)
                return WebhookTranslation.Reject($"charge {chargeId} lists a refund without id or amount", invoiceId);
            if (refund.Status is "failed" or "canceled")
                continue;
            refunds.Add((refund.Id, StripeAmounts.FromStripe(refund.Amount, currency)));
        }
        if (refunds.Count == 0)
            return WebhookTranslation.Reject($"charge {chargeId} was refunded but lists no refund", invoiceId);
        var refunded = refunds.Sum(r => r.Amount);
        if (refunded > StripeAmounts.FromStripe(charge.Amount, currency))
            return WebhookTranslation.Reject(
                $"refunds of charge {chargeId} total {refunded}, more than the charge's {StripeAmounts.FromStripe(charge.Amount, currency)} {currency}", invoiceId);
        return new WebhookTranslation(WebhookTranslation.Posted, null, invoiceId,
            refunds.Select(r => (object)new RefundCreated(evt.Id, invoiceId.Value, r.Id, r.Amount, currency, created)).ToList());
    }

    async Task<WebhookTranslation> DisputeAsync(StripeEvent evt, Dispute dispute, DateTimeOffset created, CancellationToken ct)
    {
        var (invoiceId, unknown) = await FindPaidInvoiceAsync(dispute.Metadata, dispute.PaymentIntentId, $"dispute {dispute.Id ?? "(no id)"}", ct);
        if (invoiceId is null)
            return WebhookTranslation.Reject(unknown!);
        if (string.IsNullOrEmpty(dispute.Id) || string.IsNullOrEmpty(dispute.Status) || dispute.Amount <= 0 || string.IsNullOrEmpty(dispute.Currency))
            return WebhookTranslation.Reject($"dispute event {evt.Id} lacks id, status, amount or currency", invoiceId);
        return new WebhookTranslation(WebhookTranslation.Posted, null, invoiceId,
            [new DisputeUpdated(evt.Id, invoiceId.Value, dispute.Id, dispute.Status, StripeAmounts.FromStripe(dispute.Amount, dispute.Currency), dispute.Currency.ToUpperInvariant(), created)]);
    }

    /// <summary>
    /// The invoice a charge or dispute is about: by our metadata, else through its payment intent's invoice payments
    /// (one Stripe invoice, stored on exactly one of our invoices). Returns the reason when none is found.
    /// </summary>
    async Task<(Guid? InvoiceId, string? Reason)> FindPaidInvoiceAsync(IReadOnlyDictionary<string, string>? metadata, string? paymentIntent,
        string what, CancellationToken ct)
    {
        if (await FindInvoiceAsync(metadata, null, ct) is { } byMetadata)
            return (byMetadata, null);
        if (string.IsNullOrEmpty(paymentIntent))
            return (null, $"{what} has no payment intent, and " + UnknownInvoice(metadata, null));
        if (stripe is null)
            return (null, $"{what} can only be traced to an invoice through its payment intent {paymentIntent}, and Stripe__ApiKey is not set");
        var invoices = (await stripe.InvoicePaymentsOfPaymentIntentAsync(paymentIntent, ct))
            .Where(p => p.Status is not ("canceled" or "failed")).Select(p => p.Invoice).Distinct().ToList();
        if (invoices.Count != 1)
            return (null, $"{what}: payment intent {paymentIntent} paid {invoices.Count} Stripe invoices ({string.Join(", ", invoices)}), not exactly one");
        var found = await FindInvoiceAsync(null, invoices[0], ct);
        return found is null ? (null, $"{what}: " + UnknownInvoice(metadata, invoices[0])) : (found, null);
    }

    async Task<Guid?> FindInvoiceAsync(IReadOnlyDictionary<string, string>? metadata, string? stripeInvoiceId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (metadata is not null && metadata.TryGetValue(InvoiceMetadataKey, out var text) && Guid.TryParse(text, out var id))
        {
            await using var cmd = new NpgsqlCommand(ByIdSql, conn);
            cmd.Parameters.AddWithValue("id", id);
            if (await cmd.ExecuteScalarAsync(ct) is Guid found)
                return found;
        }
        if (string.IsNullOrEmpty(stripeInvoiceId))
            return null;
        await using var byStripe = new NpgsqlCommand(ByStripeIdSql, conn);
        byStripe.Parameters.AddWithValue("stripe_id", stripeInvoiceId);
        await using var reader = await byStripe.ExecuteReaderAsync(ct);
        Guid? match = null;
        while (await reader.ReadAsync(ct))
        {
            if (match is not null)
                return null; // two of our invoices claim the same Stripe invoice: not ours to guess
            match = reader.GetGuid(0);
        }
        return match;
    }

    static string UnknownInvoice(IReadOnlyDictionary<string, string>? metadata, string? stripeInvoiceId)
    {
        var meta = metadata is not null && metadata.TryGetValue(InvoiceMetadataKey, out var m) && m.Length > 0 ? m : null;
        return $"no invoice of ours matches metadata.{InvoiceMetadataKey}={meta ?? "(none)"} or Stripe invoice {stripeInvoiceId ?? "(none)"}";
    }
}
