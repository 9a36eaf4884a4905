namespace Billing.Stripe;

/// <summary>The fields of a Stripe credit note this system reads (amounts in minor units).</summary>
public sealed record StripeCreditNote(string Id, string Invoice, long Total, string? Status, IReadOnlyDictionary<string, string>? Metadata);

