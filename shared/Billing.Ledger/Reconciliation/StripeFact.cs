namespace Billing.Ledger;

/// <summary>The invoice as Stripe holds it; <see cref="Status"/> is Stripe's (draft, open, paid, uncollectible, void).</summary>
public sealed record StripeFact(string StripeInvoiceId, decimal TotalMinor, string Status);
