namespace Billing.Pdf;

/// <summary>
/// One row of the invoice. Tier lines (<see cref="InvoiceLineKinds.Tier"/>) explain their parent usage line and are not part of the
/// subtotal; every other kind is.
/// </summary>
public sealed record InvoiceLine
{
    public required int LineNo { get; init; }
    /// <summary>One of <see cref="InvoiceLineKinds"/>.</summary>
    public required string Kind { get; init; }
    public required string Description { get; init; }
    public required decimal Quantity { get; init; }
    /// <summary>Major units, up to 12 decimals (0.0005 per impression).</summary>
    public required decimal UnitPrice { get; init; }
    public required long AmountMinor { get; init; }
    public int? ParentLineNo { get; init; }
}
