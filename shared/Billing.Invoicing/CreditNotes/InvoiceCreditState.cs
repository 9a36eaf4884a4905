namespace Billing.Invoicing.CreditNotes;

/// <summary>An invoice's figures and what its earlier credit notes already gave back, all in minor units.</summary>
public sealed record InvoiceCreditState(
    string Number,
    string Currency,
    decimal TaxRatePercent,
    long SubtotalMinor,
    long TaxMinor,
    long TotalMinor,
    long CreditedSubtotalMinor,
    long CreditedTaxMinor)
{
    public long CreditedTotalMinor => CreditedSubtotalMinor + CreditedTaxMinor;
    public long RemainingSubtotalMinor => SubtotalMinor - CreditedSubtotalMinor;
    public long RemainingTaxMinor => TaxMinor - CreditedTaxMinor;
    public long RemainingTotalMinor => TotalMinor - CreditedTotalMinor;
}
