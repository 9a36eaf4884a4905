namespace Billing.Contracts;

/// <summary>Command: send the invoice email again on purpose (reason <c>resend</c>).</summary>
public record SendInvoiceEmail(Guid InvoiceId, string Reason, string RequestedBy);
