namespace Billing.Pdf.Rendering;

/// <summary>Print order: lines by number, each usage line followed by its tier breakdown whatever their numbers.</summary>
internal static class InvoiceLineOrder
{
    public static List<InvoiceLine> ForPrinting(IReadOnlyList<InvoiceLine> lines)
    {
        var tiers = lines.Where(l => l.Kind == InvoiceLineKinds.Tier)
            .OrderBy(l => l.LineNo)
            .ToLookup(l => l.ParentLineNo);
        var ordered = new List<InvoiceLine>(lines.Count);
        foreach (var line in lines.Where(l => l.Kind != InvoiceLineKinds.Tier).OrderBy(l => l.LineNo))
        {
            ordered.Add(line);
            ordered.AddRange(tiers[line.LineNo]);
        }
        return ordered;
    }
}
