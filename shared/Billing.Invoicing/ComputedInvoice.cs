namespace Billing.Invoicing;

/// <summary>The priced invoice of one account and period, ready to store. Amounts are minor units of
/// <see cref="Currency"/>; <see cref="SubtotalMinor"/> sums the billable lines (tier lines excluded).</summary>
public sealed record ComputedInvoice(
    string Currency,
    IReadOnlyList<InvoiceLine> Lines,
    long SubtotalMinor,
    decimal TaxRatePercent,
    long TaxMinor,
    long TotalMinor,
    IReadOnlyList<string> UnknownMetrics,
    bool IsEmpty)
{
    public IEnumerable<InvoiceLine> BillableLines => Lines.Where(l => l.IsBillable);
}
