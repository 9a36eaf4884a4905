namespace Billing.Mail;

/// <summary>Everything one invoice email says. <paramref name="DeliveryNo"/> is 1 for the first email, 2.. for resends.</summary>
public sealed record InvoiceEmail(
    Guid InvoiceId,
    int DeliveryNo,
    string Recipient,
    string AccountName,
    string InvoiceNumber,
    string Period,
    long TotalMinor,
    string Currency,
    DateOnly DueDate,
    byte[] Pdf);
