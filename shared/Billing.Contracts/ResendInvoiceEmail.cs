namespace Billing.Contracts;

/// <summary>
/// Command: email the invoice again on purpose (delivery reason <c>resend</c>). <paramref name="RequestId"/> keys the
/// delivery, so a redelivered or redriven request never sends a second email.
/// </summary>
public record ResendInvoiceEmail(Guid RequestId, Guid InvoiceId, string RequestedBy);
