namespace Billing.Stripe;

// Only the fields this system reads. Deserialised with snake_case names; amounts are minor units.

public sealed record StripeCustomer(
    string Id, string? Name, string? Email, IReadOnlyDictionary<string, string>? Metadata, bool Deleted = false);

public sealed record StripeInvoiceItem(
    string Id, string Customer, string? Invoice, long Amount, string Currency, string? Description,
    IReadOnlyDictionary<string, string>? Metadata);

public sealed record StripeInvoice(
    string Id, string Customer, string? Status, string Currency, long Total, long AmountDue,
    IReadOnlyDictionary<string, string>? Metadata, string? Number);

internal sealed record StripeSearchResult<T>(IReadOnlyList<T> Data, bool HasMore, string? NextPage);
