namespace Billing.Pdf.Rendering;

/// <summary>All measured blocks of one invoice and how they fall onto pages.</summary>
internal sealed class InvoiceLayout(Block firstHeader, Block nextHeader, Block tableHeader, IReadOnlyList<Block> rows, Block totals)
{
    public Block FirstHeader { get; } = firstHeader;
    public Block NextHeader { get; } = nextHeader;
    public Block TableHeader { get; } = tableHeader;
    public IReadOnlyList<Block> Rows { get; } = rows;
    public Block Totals { get; } = totals;
    public double FooterTop { get; set; }
    public IReadOnlyList<PagePlan> Pages { get; set; } = [];
}
