namespace Billing.Contracts;

/// <summary>Command: (re-)render the PDF of one invoice; sent by operators.</summary>
public record RenderInvoicePdf(Guid InvoiceId, string Reason);
