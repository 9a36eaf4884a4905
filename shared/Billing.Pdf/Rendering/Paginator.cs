namespace Billing.Pdf.Rendering;

/// <summary>
/// Distributes line rows over pages by height. The totals never stand alone on a page: if they do not fit after
/// the last row, that row moves over with them, so every page shows table content under its header.
/// </summary>
internal static class Paginator
{
    public static List<PagePlan> Paginate(double firstBodyTop, double nextBodyTop, double bodyBottom, IReadOnlyList<double> rowHeights, double totalsHeight)
    {
        var pages = new List<PagePlan> { new(IsFirst: true, []) };
        var y = firstBodyTop;
        for (var i = 0; i < rowHeights.Count; i++)
        {
            if (y + rowHeights[i] > bodyBottom && pages[^1].Rows.Count > 0)
            {
                pages.Add(new PagePlan(IsFirst: false, []));
                y = nextBodyTop;
            }
            pages[^1].Rows.Add(i);
            y += rowHeights[i];
        }
        if (y + totalsHeight > bodyBottom)
        {
            var last = pages[^1];
            var carried = new List<int>();
            if (last.Rows.Count > 1)
            {
                carried.Add(last.Rows[^1]);
                last.Rows.RemoveAt(last.Rows.Count - 1);
            }
            pages.Add(new PagePlan(IsFirst: false, carried));
        }
        pages[^1].HasTotals = true;
        return pages;
    }
}
