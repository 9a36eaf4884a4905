namespace Billing.Testing.FakeStripe;

/// <summary>Credit notes and voids, with Stripe's rules: only finalized invoices, never more than the invoice total,
/// a pre-payment credit lowers the amount due (an invoice with nothing left due is paid), a paid invoice needs the
/// whole credit placed (here: on the customer's balance); only open or uncollectible invoices can be voided.</summary>
internal sealed partial class FakeStripeState
{
    private readonly List<FakeCreditNote> _creditNotes = [];

    public IReadOnlyList<FakeCreditNote> CreditNotes { get { lock (_gate) return [.. _creditNotes]; } }

    public OneOf<FakeCreditNote> AddCreditNote(string invoiceId, long amount, long creditAmount, string? memo, IReadOnlyDictionary<string, string> metadata)
    {
        lock (_gate)
        {
            if (!_invoices.TryGetValue(invoiceId, out var invoice)) return FakeStripeError.NoSuch("invoice", invoiceId, "invoice");
            if (invoice.Status is not ("open" or "paid"))
                return new FakeStripeError(400, "invalid_request_error", $"Credit notes can only be issued on open or paid invoices; {invoiceId} is {invoice.Status}.", null, "invoice");
            var credited = _creditNotes.Where(c => c.Invoice == invoiceId).Sum(c => c.Amount);
            if (amount <= 0) return FakeStripeError.Invalid("lines", "The credit note amount must be positive.");
            if (credited + amount > invoice.Total)
                return FakeStripeError.Invalid("lines", $"The credit note amount ({amount}) exceeds what is left to credit on the invoice ({invoice.Total - credited}).");
            var prePayment = amount - creditAmount;
            if (prePayment < 0) return FakeStripeError.Invalid("credit_amount", "credit_amount exceeds the credit note amount.");
            if (invoice.Status == "paid" && prePayment != 0)
                return FakeStripeError.Invalid("credit_amount", "A credit note on a paid invoice needs refund_amount, credit_amount or out_of_band_amount adding up to its amount.");
            if (prePayment > invoice.AmountDue)
                return FakeStripeError.Invalid("lines", $"The pre-payment amount ({prePayment}) exceeds the amount due ({invoice.AmountDue}).");
            var note = new FakeCreditNote(FakeIds.New("cn"), invoiceId, amount, creditAmount, memo, metadata, Now);
            _creditNotes.Add(note);
            if (prePayment > 0)
            {
                var due = invoice.AmountDue - prePayment;
                _invoices[invoiceId] = invoice with { AmountDue = due, Status = due == 0 ? "paid" : invoice.Status };
            }
            return note;
        }
    }

    public OneOf<FakeInvoice> Void(string invoiceId)
    {
        lock (_gate)
        {
            if (!_invoices.TryGetValue(invoiceId, out var invoice)) return FakeStripeError.NoSuch("invoice", invoiceId, "invoice");
            if (invoice.Status is not ("open" or "uncollectible"))
                return new FakeStripeError(400, "invalid_request_error", $"You can only void open or uncollectible invoices; {invoiceId} is {invoice.Status}.", "invoice_not_editable");
            return _invoices[invoiceId] = invoice with { Status = "void", AmountDue = 0 };
        }
    }
}
