namespace Billing.Pdf.Rendering;

/// <summary>
/// Distributes line rows over pages by height. A usage line and its tier breakdown stay on one page when they
/// fit on one; the totals never stand alone: if they do not fit under the last row, the last group (or at least
/// the last row) moves over with them, so every page shows table content under its header.
/// </summary>
internal static class Paginator
{
    /// <param name="startsGroup">True for a row that is not a tier line; tier rows belong to the group before them.</param>
    public static List<PagePlan> Paginate(
        double firstBodyTop, double nextBodyTop, double bodyBottom,
        IReadOnlyList<double> rowHeights, IReadOnlyList<bool> startsGroup, double totalsHeight)
    {
        var pages = new List<PagePlan> { new(IsFirst: true, []) };
        var y = firstBodyTop;
        for (var i = 0; i < rowHeights.Count; i++)
        {
            var needed = startsGroup[i] ? GroupHeight(rowHeights, startsGroup, i) : rowHeights[i];
            // A group taller than a whole page cannot be kept together; then only the row itself must fit.
            if (needed > bodyBottom - nextBodyTop) needed = rowHeights[i];
            if (y + needed > bodyBottom && pages[^1].Rows.Count > 0)
            {
                pages.Add(new PagePlan(IsFirst: false, []));
                y = nextBodyTop;
            }
            pages[^1].Rows.Add(i);
            y += rowHeights[i];
        }
        if (y + totalsHeight > bodyBottom) pages.Add(new PagePlan(IsFirst: false, CarryOver(pages[^1].Rows, startsGroup)));
        pages[^1].HasTotals = true;
        return pages;
    }

    private static double GroupHeight(IReadOnlyList<double> rowHeights, IReadOnlyList<bool> startsGroup, int start)
    {
        var height = rowHeights[start];
        for (var i = start + 1; i < rowHeights.Count && !startsGroup[i]; i++) height += rowHeights[i];
        return height;
    }

    /// <summary>Takes the last group off a full page (the last row if the group is all the page has).</summary>
    private static List<int> CarryOver(List<int> rows, IReadOnlyList<bool> startsGroup)
    {
        if (rows.Count <= 1) return [];
        var from = rows.Count - 1;
        while (from > 0 && !startsGroup[rows[from]]) from--;
        if (from == 0) from = rows.Count - 1;
        var carried = rows.GetRange(from, rows.Count - from);
        rows.RemoveRange(from, rows.Count - from);
        return carried;
    }
}
