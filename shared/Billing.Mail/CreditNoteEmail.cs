namespace Billing.Mail;

/// <summary>Everything one credit note email says. Amounts are minor units, tax included in the total.</summary>
public sealed record CreditNoteEmail(
    Guid CreditNoteId,
    string Recipient,
    string AccountName,
    string CreditNoteNumber,
    string InvoiceNumber,
    string Reason,
    long TotalMinor,
    string Currency,
    byte[] Pdf);
