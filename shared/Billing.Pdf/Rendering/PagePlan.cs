namespace Billing.Pdf.Rendering;

/// <summary>What goes on one page: the first page carries the full header, later ones a short continuation header.</summary>
internal sealed record PagePlan(bool IsFirst, List<int> Rows)
{
    public bool HasTotals { get; set; }
}
