namespace Billing.Stripe;

/// <summary>Idempotency keys of credit notes and voids, derived from our credit note id and invoice id.</summary>
public static class StripeCorrectionKeys
{
    public static string CreditNote(Guid creditNoteId) =>
        creditNoteId == Guid.Empty ? throw new ArgumentException("needs a real credit note id", nameof(creditNoteId)) : $"billing-credit-note-{creditNoteId:D}";

    public static string Void(Guid invoiceId) =>
        invoiceId == Guid.Empty ? throw new ArgumentException("needs a real invoice id", nameof(invoiceId)) : $"billing-{invoiceId:D}-void";
}
