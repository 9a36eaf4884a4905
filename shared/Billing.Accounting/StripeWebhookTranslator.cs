using System.Text.Json;
using Billing.Contracts;
using Billing.Stripe;
using Npgsql;

namespace Billing.Accounting;

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
/// Turns Stripe events into the internal events accounting-sync consumes. Our invoice is found by
/// <c>metadata.billing_invoice_id</c>, else by the Stripe invoice id stored on our invoice.
/// </summary>
public sealed class StripeWebhookTranslator(NpgsqlDataSource dataSource)
{
    public const string InvoiceMetadataKey = "billing_invoice_id";

    const string ByIdSql = "select id from invoices where id = @id";
    const string ByStripeIdSql = "select id from invoices where stripe_invoice_id = @stripe_id limit 2";

    public async Task<WebhookTranslation> TranslateAsync(StripeEvent evt, CancellationToken ct)
    {
        var obj = evt.Object;
        switch (evt.Type)
        {
            case "invoice.paid":
            case "invoice.payment_failed":
            case "invoice.marked_uncollectible":
            {
                var invoiceId = await FindInvoiceAsync(obj, String(obj, "id"), ct);
                if (invoiceId is null)
                    return WebhookTranslation.Reject(UnknownInvoice(obj, String(obj, "id")));
                object message = evt.Type switch
                {
                    "invoice.paid" => Paid(evt, invoiceId.Value),
                    "invoice.payment_failed" => new PaymentFailed(evt.Id, invoiceId.Value, FailureReason(obj), evt.Created),
                    _ => new InvoiceMarkedUncollectible(evt.Id, invoiceId.Value, evt.Created),
                };
                return message is string reason
                    ? WebhookTranslation.Reject(reason, invoiceId)
                    : new WebhookTranslation(WebhookTranslation.Posted, null, invoiceId, [message]);
            }
            case "charge.refunded":
                return await RefundsAsync(evt, ct);
            default:
                if (evt.Type.StartsWith("charge.dispute.", StringComparison.Ordinal))
                    return await DisputeAsync(evt, ct);
                return WebhookTranslation.Ignore($"event type {evt.Type} is not used");
        }
    }

    static object Paid(StripeEvent evt, Guid invoiceId)
    {
        var obj = evt.Object;
        var amount = Long(obj, "amount_paid") ?? Long(obj, "total");
        if (amount is not > 0)
            return $"invoice.paid {String(obj, "id")} has no positive amount_paid";
        if (String(obj, "currency") is not { } currency)
            return $"invoice.paid {String(obj, "id")} has no currency";
        return new PaymentSucceeded(evt.Id, invoiceId, amount.Value, currency.ToUpperInvariant(), evt.Created);
    }

    async Task<WebhookTranslation> RefundsAsync(StripeEvent evt, CancellationToken ct)
    {
        var charge = evt.Object;
        var chargeId = String(charge, "id") ?? "(no id)";
        var invoiceId = await FindInvoiceAsync(charge, String(charge, "invoice"), ct);
        if (invoiceId is null)
            return WebhookTranslation.Reject(UnknownInvoice(charge, String(charge, "invoice")));
        if (String(charge, "currency") is not { } currency)
            return WebhookTranslation.Reject($"charge {chargeId} has no currency", invoiceId);
        var chargeAmount = Long(charge, "amount") ?? 0;
        var refunds = new List<(string Id, long Amount)>();
        if (charge.TryGetProperty("refunds", out var list) && list.ValueKind == JsonValueKind.Object
            && list.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var refund in data.EnumerateArray())
            {
                if (String(refund, "id") is not { } id || Long(refund, "amount") is not { } amount)
                    return WebhookTranslation.Reject($"charge {chargeId} lists a refund without id or amount", invoiceId);
                if (String(refund, "status") is "failed" or "canceled")
                    continue;
                refunds.Add((id, amount));
            }
        }
        if (refunds.Count == 0)
            return WebhookTranslation.Reject($"charge {chargeId} was refunded but lists no refund", invoiceId);
        var refunded = refunds.Sum(r => r.Amount);
        if (refunded > chargeAmount)
            return WebhookTranslation.Reject(
                $"refunds of charge {chargeId} total {refunded}, more than the charge's {chargeAmount} {currency.ToUpperInvariant()}", invoiceId);
        return new WebhookTranslation(WebhookTranslation.Posted, null, invoiceId,
            refunds.Select(r => (object)new RefundCreated(evt.Id, invoiceId.Value, r.Id, r.Amount, currency.ToUpperInvariant(), evt.Created)).ToList());
    }

    async Task<WebhookTranslation> DisputeAsync(StripeEvent evt, CancellationToken ct)
    {
        var dispute = evt.Object;
        var disputeId = String(dispute, "id");
        var invoiceId = await FindInvoiceAsync(dispute, String(dispute, "invoice"), ct);
        if (invoiceId is null)
            return WebhookTranslation.Reject(UnknownInvoice(dispute, String(dispute, "invoice")));
        if (disputeId is null || String(dispute, "status") is not { } status || Long(dispute, "amount") is not { } amount
            || String(dispute, "currency") is not { } currency)
            return WebhookTranslation.Reject($"dispute event {evt.Id} lacks id, status, amount or currency", invoiceId);
        return new WebhookTranslation(WebhookTranslation.Posted, null, invoiceId,
            [new DisputeUpdated(evt.Id, invoiceId.Value, disputeId, status, amount, currency.ToUpperInvariant(), evt.Created)]);
    }

    async Task<Guid?> FindInvoiceAsync(JsonElement obj, string? stripeInvoiceId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (obj.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object
            && String(meta, InvoiceMetadataKey) is { } text && Guid.TryParse(text, out var id))
        {
            await using var cmd = new NpgsqlCommand(ByIdSql, conn);
            cmd.Parameters.AddWithValue("id", id);
            if (await cmd.ExecuteScalarAsync(ct) is Guid found)
                return found;
        }
        if (stripeInvoiceId is null)
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

    static string UnknownInvoice(JsonElement obj, string? stripeInvoiceId)
    {
        var meta = obj.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? String(m, InvoiceMetadataKey) : null;
        return $"no invoice of ours matches metadata.{InvoiceMetadataKey}={meta ?? "(none)"} or Stripe invoice {stripeInvoiceId ?? "(none)"}";
    }

    static string FailureReason(JsonElement invoice)
    {
        if (invoice.TryGetProperty("last_finalization_error", out var error) && error.ValueKind == JsonValueKind.Object
            && String(error, "message") is { } message)
            return message;
        return "payment failed";
    }

    static string? String(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    static long? Long(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;
}
