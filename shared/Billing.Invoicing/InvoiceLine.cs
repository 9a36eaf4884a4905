namespace Billing.Invoicing;

/// <summary>A row of <c>invoice_lines</c>. <see cref="Component"/> is the metric of usage and tier lines.
/// <see cref="UnitPrice"/> is major units with at most 12 decimals; for a tiered or package usage line it is the
/// effective price (amount ÷ quantity, rounded to 12 decimals), for display only.</summary>
public sealed record InvoiceLine(
    int LineNo,
    string Kind,
    string? Component,
    string Description,
    decimal Quantity,
    decimal UnitPrice,
    long AmountMinor,
    int? ParentLineNo = null)
{
    public bool IsBillable => InvoiceLineKinds.IsBillable(Kind);
}
