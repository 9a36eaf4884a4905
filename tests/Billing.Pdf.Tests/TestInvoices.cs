namespace Billing.Pdf.Tests;

/// <summary>Small hand-made invoices whose every figure the tests can predict.</summary>
internal static class TestInvoices
{
    public static InvoiceLine Line(int no, string kind, string description, decimal quantity, decimal unitPrice, long amountMinor, int? parent = null) =>
        new()
        {
            LineNo = no, Kind = kind, Description = description, Quantity = quantity, UnitPrice = unitPrice,
            AmountMinor = amountMinor, ParentLineNo = parent,
        };

    /// <summary>Subtotal = sum of the non-tier lines, tax = rate × subtotal rounded half away from zero.</summary>
    public static InvoiceDocument With(IReadOnlyList<InvoiceLine> lines, string currency = "EUR", decimal taxRate = 19m, string billTo = "Customer Ltd")
    {
        var subtotal = lines.Where(l => l.Kind != InvoiceLineKinds.Tier).Sum(l => l.AmountMinor);
        var tax = (long)Math.Round(subtotal * taxRate / 100m, MidpointRounding.AwayFromZero);
        return new InvoiceDocument
        {
            Issuer = new InvoiceIssuer { Name = "Issuer AG", AddressLines = ["Hauptstraße 1", "8001 Zürich"], TaxId = "CHE-123.456.789", Email = "billing@issuer.example" },
            BillTo = new InvoiceBillTo { Name = billTo, AddressLines = ["1 Main Street"], Email = "ap@customer.example" },
            Number = "INV-0001",
            IssueDate = new DateOnly(2026, 11, 1),
            DueDate = new DateOnly(2026, 12, 1),
            Period = "2026-10",
            Currency = currency,
            Lines = lines,
            SubtotalMinor = subtotal,
            TaxRatePercent = taxRate,
            TaxMinor = tax,
            TotalMinor = subtotal + tax,
            PaymentTerms = "Net 30 days.",
            Footer = "Issuer AG, registered in Zürich.",
        };
    }

    /// <summary>Base fee, a usage line with two tiers and a one-off charge.</summary>
    public static InvoiceDocument Typical() => With(
    [
        Line(1, InvoiceLineKinds.BaseFee, "Pro plan base fee", 1, 99m, 9900),
        Line(2, InvoiceLineKinds.Usage, "API requests", 1_250_000, 0, 72500),
        Line(3, InvoiceLineKinds.Tier, "Tier 1: first 1,000,000 requests", 1_000_000, 0.0006m, 60000, parent: 2),
        Line(4, InvoiceLineKinds.Tier, "Tier 2: above 1,000,000 requests", 250_000, 0.0005m, 12500, parent: 2),
        Line(5, InvoiceLineKinds.Charge, "Managed migration job", 3, 150m, 45000),
    ]);

    public static InvoiceDocument ManyLines(int count) => With(
        Enumerable.Range(1, count)
            .Select(i => Line(i, InvoiceLineKinds.Charge, $"Consulting item number {i:D3}", i, 1.5m, i * 150L))
            .ToList());
}
