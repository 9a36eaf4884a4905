using Billing.Pdf.Rendering;

namespace Billing.Pdf;

/// <summary>Money as the PDF prints it ("EUR 1,234.56"), for text a service composes into a document's notes.</summary>
public static class PdfMoney
{
    public static string Format(long minor, string currency) => InvoiceFormat.Money(minor, currency.Trim());
}
