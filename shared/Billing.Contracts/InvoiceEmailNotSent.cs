namespace Billing.Contracts;

/// <summary>Event: the email was deliberately not sent; <paramref name="Status"/> is suppressed, invalid_address, missing_pdf or failed.</summary>
public record InvoiceEmailNotSent(Guid InvoiceId, Guid RunId, Guid AccountId, string Status, string Reason);
