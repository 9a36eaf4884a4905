namespace Billing.Contracts;

/// <summary>Event: an unpaid invoice is void. The ledger reverses its entry and, when Stripe is on, Stripe voids its invoice.</summary>
public record InvoiceVoided(Guid InvoiceId, Guid AccountId, string Number, long TotalMinor, string Currency, DateTimeOffset VoidedAt);
