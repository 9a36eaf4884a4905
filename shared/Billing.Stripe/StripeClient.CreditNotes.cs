using Stripe;

namespace Billing.Stripe;

// Credit notes and voids, kept apart from the invoice push: small, and each call is idempotent by its key.
public sealed partial class StripeClient
{
    /// <summary>
    /// A credit note on a finalized invoice, as one custom line of <paramref name="amount"/> (tax included: our Stripe
    /// invoices carry tax as an item). <paramref name="creditAmount"/> is the part put on the customer's balance because
    /// the invoice was already paid (Stripe needs it for post-payment credit notes); 0 for an unpaid invoice. Amounts are
    /// minor units of <paramref name="currency"/>, the invoice's.
    /// </summary>
    public Task<StripeCreditNote> CreateCreditNoteAsync(string invoice, long amount, string currency, string description, long creditAmount,
        IReadOnlyDictionary<string, string>? metadata, string idempotencyKey, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(invoice);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        ArgumentOutOfRangeException.ThrowIfNegative(creditAmount);
        var options = new CreditNoteCreateOptions
        {
            Invoice = invoice,
            Lines = [new CreditNoteLineOptions { Type = "custom_line_item", Description = description, Quantity = 1, UnitAmount = StripeAmounts.ToStripe(amount, currency) }],
            Metadata = Checked(metadata),
            CreditAmount = creditAmount > 0 ? StripeAmounts.ToStripe(creditAmount, currency) : null,
        };
        var request = Idempotent(idempotencyKey);
        return CallAsync(() => _creditNotes.CreateAsync(options, request, ct), StripeCreditNote.From);
    }

    /// <summary>Voids a finalized, unpaid invoice (open or uncollectible).</summary>
    public Task<StripeInvoice> VoidInvoiceAsync(string id, string idempotencyKey, CancellationToken ct = default)
    {
        var invoice = Id(id);
        var request = Idempotent(idempotencyKey);
        return CallAsync(() => _invoices.VoidInvoiceAsync(invoice, null, request, ct), StripeInvoice.From);
    }
}
