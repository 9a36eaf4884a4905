namespace Billing.Invoicing.CreditNotes;

/// <summary>A credit note's lines and totals; total = subtotal + tax, every amount positive minor units.</summary>
public sealed record ComputedCreditNote(IReadOnlyList<CreditNoteLine> Lines, long SubtotalMinor, long TaxMinor, long TotalMinor);
