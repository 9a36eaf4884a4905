using System.Globalization;

namespace Billing.Pdf;

/// <summary>
/// Refuses documents that would print a wrong or incomplete invoice. Totals are checked because a PDF whose
/// figures do not add up is worse than no PDF: the request is dead-lettered and someone looks at it.
/// </summary>
internal static class InvoiceDocumentValidator
{
    public static void Validate(InvoiceDocument doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        Required(doc.Number, "Number");
        if (doc.Issuer is null) throw Missing("Issuer");
        Required(doc.Issuer.Name, "Issuer.Name");
        if (doc.BillTo is null) throw Missing("BillTo");
        Required(doc.BillTo.Name, "BillTo.Name");
        Required(doc.Currency, "Currency");
        if (!Currencies.IsKnown(doc.Currency))
            throw new InvoiceDocumentException("Currency", Currencies.UnknownMessage(doc.Currency));
        Required(doc.Period, "Period");
        if (!DateOnly.TryParseExact(doc.Period, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            throw new InvoiceDocumentException("Period", $"'{doc.Period}' is not a period of the form yyyy-MM");
        if (doc.IssueDate == default) throw Missing("IssueDate");
        if (doc.DueDate == default) throw Missing("DueDate");
        if (doc.DueDate < doc.IssueDate)
            throw new InvoiceDocumentException("DueDate", $"{doc.DueDate:yyyy-MM-dd} is before the issue date {doc.IssueDate:yyyy-MM-dd}");
        if (doc.TaxRatePercent is < 0 or > 100)
            throw new InvoiceDocumentException("TaxRatePercent", $"{doc.TaxRatePercent} is outside 0..100");
        ValidateLines(doc);
        ValidateTotals(doc);
        if (doc.Issuer.LogoBytes is { Length: 0 }) throw Missing("Issuer.LogoBytes");
        if (doc.Issuer.LogoBytes is null && doc.Issuer.LogoPath is { } path && !File.Exists(path))
            throw new InvoiceDocumentException("Issuer.LogoPath", $"logo file '{path}' does not exist");
    }

    private static void ValidateLines(InvoiceDocument doc)
    {
        if (doc.Lines is null || doc.Lines.Count == 0) throw Missing("Lines");
        var kinds = new Dictionary<int, string>();
        for (var i = 0; i < doc.Lines.Count; i++)
        {
            var line = doc.Lines[i] ?? throw Missing($"Lines[{i}]");
            Required(line.Description, $"Lines[{i}].Description");
            if (!InvoiceLineKinds.IsKnown(line.Kind))
                throw new InvoiceDocumentException($"Lines[{i}].Kind", InvoiceLineKinds.UnknownMessage(line.Kind));
            if (!kinds.TryAdd(line.LineNo, line.Kind))
                throw new InvoiceDocumentException($"Lines[{i}].LineNo", $"line number {line.LineNo} appears twice");
        }
        for (var i = 0; i < doc.Lines.Count; i++)
        {
            var line = doc.Lines[i];
            if (line.Kind != InvoiceLineKinds.Tier) continue;
            if (line.ParentLineNo is not { } parent)
                throw new InvoiceDocumentException($"Lines[{i}].ParentLineNo", "a tier line needs the usage line it belongs to");
            if (!kinds.TryGetValue(parent, out var parentKind) || parentKind != InvoiceLineKinds.Usage)
                throw new InvoiceDocumentException($"Lines[{i}].ParentLineNo", $"line {parent} is not a usage line of this invoice");
        }
    }

    private static void ValidateTotals(InvoiceDocument doc)
    {
        long sum = 0;
        foreach (var line in doc.Lines)
        {
            if (line.Kind != InvoiceLineKinds.Tier) sum = checked(sum + line.AmountMinor);
        }
        if (sum != doc.SubtotalMinor)
            throw new InvoiceDocumentException("SubtotalMinor", $"{doc.SubtotalMinor} differs from the sum of the lines {sum}");
        if (checked(doc.SubtotalMinor + doc.TaxMinor) != doc.TotalMinor)
            throw new InvoiceDocumentException("TotalMinor", $"{doc.TotalMinor} differs from subtotal + tax = {doc.SubtotalMinor + doc.TaxMinor}");
    }

    private static void Required(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) throw Missing(field);
    }

    private static InvoiceDocumentException Missing(string field) => new(field, "is missing or empty");
}
