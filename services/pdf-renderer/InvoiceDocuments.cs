using System.Globalization;
using System.Text.Json;
using Billing.Pdf;

namespace Billing.PdfRenderer;

/// <summary>Maps database rows to the document the renderer prints. Problems surface as <see cref="InvoiceDocumentException"/>.</summary>
public static class InvoiceDocuments
{
    public static InvoiceDocument From(InvoiceRow invoice, IReadOnlyList<InvoiceLineRow> lines, IssuerOptions issuer) => new()
    {
        Issuer = issuer.ToIssuer(),
        BillTo = new InvoiceBillTo
        {
            Name = invoice.AccountName,
            AddressLines = AddressLines(invoice.AddressJson),
            Email = invoice.BillingEmail,
        },
        Number = invoice.Number,
        IssueDate = DateOnly.FromDateTime(invoice.IssuedAt.ToUniversalTime()),
        DueDate = DateOnly.FromDateTime(invoice.DueAt),
        Period = invoice.Period.Trim(),
        Currency = invoice.Currency.Trim(),
        Lines = lines.Select(l => new InvoiceLine
        {
            LineNo = l.LineNo,
            Kind = l.Kind,
            Description = l.Description,
            Quantity = l.Quantity,
            UnitPrice = l.UnitPrice,
            AmountMinor = l.AmountMinor,
            ParentLineNo = l.ParentLineNo,
        }).ToList(),
        SubtotalMinor = invoice.SubtotalMinor,
        TaxRatePercent = invoice.TaxRate,
        TaxMinor = invoice.TaxMinor,
        TotalMinor = invoice.TotalMinor,
        PaymentTerms = PaymentTerms(DateOnly.FromDateTime(invoice.IssuedAt.ToUniversalTime()), DateOnly.FromDateTime(invoice.DueAt),
            issuer.PaymentInstructions),
        Footer = issuer.Footer,
    };

    /// <summary>
    /// The terms sentence, from the dates stored on the invoice (the generator set the due date from the payment term),
    /// so it cannot disagree with the due date printed above it; the issuer's instructions follow.
    /// </summary>
    public static string PaymentTerms(DateOnly issued, DateOnly due, string instructions)
    {
        var days = due.DayNumber - issued.DayNumber;
        var by = due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var term = days <= 0
            ? $"Payable on receipt, by {by}, quoting the invoice number."
            : string.Create(CultureInfo.InvariantCulture, $"Payable within {days} {(days == 1 ? "day" : "days")} of the issue date, by {by}, quoting the invoice number.");
        return string.IsNullOrWhiteSpace(instructions) ? term : $"{term} {instructions.Trim()}";
    }

    /// <summary>accounts.address: {line1, line2, city, postal_code, country}; missing parts are left out.</summary>
    public static IReadOnlyList<string> AddressLines(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        JsonElement address;
        try
        {
            using var doc = JsonDocument.Parse(json);
            address = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvoiceDocumentException("BillTo.AddressLines", $"the account address is not valid JSON: {e.Message}");
        }
        if (address.ValueKind != JsonValueKind.Object)
            throw new InvoiceDocumentException("BillTo.AddressLines", "the account address must be a JSON object");
        var city = string.Join(' ', new[] { Part(address, "postal_code"), Part(address, "city") }.Where(p => p.Length > 0));
        return new[] { Part(address, "line1"), Part(address, "line2"), city, Part(address, "country") }
            .Where(p => p.Length > 0).ToList();
    }

    private static string Part(JsonElement address, string name) =>
        address.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : "";
}
