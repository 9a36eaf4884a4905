namespace Billing.Api.Contracts;

public sealed record Suppression(string Email, string Reason, string? Note, DateTimeOffset CreatedAt);

public sealed record SuppressionPage(IReadOnlyList<Suppression> Suppressions, int Count, int Total, int Offset, int? NextOffset);

/// <summary>POST /api/suppressions: <c>reason</c> is one of unsubscribed, hard_bounce, manual.</summary>
public sealed record AddSuppressionRequest(string Email, string Reason, string? Note);

/// <summary>POST /admin/resend-invoice; a retried POST with the same <c>request_id</c> still sends one email.</summary>
public sealed record ResendInvoiceRequest(Guid InvoiceId, Guid? RequestId);

public sealed record ResendAccepted(Guid RequestId, Guid InvoiceId, string Status);

public sealed record EmailDelivery(
    Guid InvoiceId, int DeliveryNo, string Reason, string State, int AttemptCount, string? MessageId, string? PdfSha256,
    string? Recipient, DateTimeOffset? AcceptedAt, string? Error, Guid? RequestId, string? RequestedBy, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record DeliveryList(Guid InvoiceId, string EmailStatus, DateTimeOffset? EmailedAt, IReadOnlyList<EmailDelivery> Deliveries);
