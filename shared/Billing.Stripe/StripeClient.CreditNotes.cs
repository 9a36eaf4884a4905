namespace Billing.Stripe;

// Credit notes and voids, kept apart from the invoice push: small, and each call is idempotent by its key.
public sealed partial class StripeClient
{
    /// <summary>
    /// A credit note on a finalized invoice, as one custom line of <paramref name="amount"/> (tax included: our Stripe
    /// invoices carry tax as an item). <paramref name="creditAmount"/> is the part put on the customer's balance because
    /// the invoice was already paid (Stripe needs it for post-payment credit notes); 0 for an unpaid invoice.
    /// </summary>
    public Task<StripeCreditNote> CreateCreditNoteAsync(string invoice, long amount, string description, long creditAmount,
        IReadOnlyDictionary<string, string>? metadata, string idempotencyKey, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(invoice);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        ArgumentOutOfRangeException.ThrowIfNegative(creditAmount);
        var form = new StripeForm()
            .Add("invoice", invoice)
            .Add("lines[0][type]", "custom_line_item")
            .Add("lines[0][description]", description)
            .Add("lines[0][quantity]", 1)
            .Add("lines[0][unit_amount]", amount)
            .AddMetadata(Checked(metadata));
        if (creditAmount > 0) form.Add("credit_amount", creditAmount);
        return SendAsync<StripeCreditNote>(HttpMethod.Post, "/v1/credit_notes", form, Key(idempotencyKey), ct);
    }

    /// <summary>Voids a finalized, unpaid invoice (open or uncollectible).</summary>
    public Task<StripeInvoice> VoidInvoiceAsync(string id, string idempotencyKey, CancellationToken ct = default) =>
        SendAsync<StripeInvoice>(HttpMethod.Post, $"/v1/invoices/{Id(id)}/void", new StripeForm(), Key(idempotencyKey), ct);
}
