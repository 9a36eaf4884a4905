namespace Billing.Pdf;

/// <summary>Everything printed on one invoice. Amounts are integers in the currency's minor unit.</summary>
public sealed record InvoiceDocument
{
    public required InvoiceIssuer Issuer { get; init; }
    public required InvoiceBillTo BillTo { get; init; }
    public required string Number { get; init; }
    public required DateOnly IssueDate { get; init; }
    public required DateOnly DueDate { get; init; }
    /// <summary>Billing period as "yyyy-MM", e.g. "2026-10".</summary>
    public required string Period { get; init; }
    /// <summary>ISO 4217 code, e.g. "EUR".</summary>
    public required string Currency { get; init; }
    public required IReadOnlyList<InvoiceLine> Lines { get; init; }
    public required long SubtotalMinor { get; init; }
    public required decimal TaxRatePercent { get; init; }
    public required long TaxMinor { get; init; }
    public required long TotalMinor { get; init; }
    public string PaymentTerms { get; init; } = "";

    /// <summary>The heading: "INVOICE", or "CREDIT NOTE" for a credit note (same layout, same checks).</summary>
    public string Title { get; init; } = "INVOICE";

    /// <summary>How the document names itself in its number row, continuation header and footer.</summary>
    public string DocumentName { get; init; } = "Invoice";

    /// <summary>A credit note's invoice: printed instead of the due date, which a credit note does not have.</summary>
    public string? CreditedInvoiceNumber { get; init; }

    /// <summary>Lines printed under the totals: credit notes of an invoice and what is left, a void, a credit note's reason.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
    public string Footer { get; init; } = "";

    /// <summary>Throws <see cref="InvoiceDocumentException"/> naming the first missing or inconsistent field.</summary>
    public void Validate() => InvoiceDocumentValidator.Validate(this);
}
