namespace Billing.Stripe;

// Only the fields this system reads, taken from Stripe.net's objects; amounts are our minor units (see StripeAmounts).

public sealed record StripeCustomer(
    string Id, string? Name, string? Email, IReadOnlyDictionary<string, string>? Metadata, bool Deleted = false)
{
    internal static StripeCustomer From(global::Stripe.Customer c) =>
        new(Required(c.Id, "id"), c.Name, c.Email, c.Metadata, c.Deleted ?? false);

    internal static string Required(string? value, string field) =>
        string.IsNullOrEmpty(value) ? throw new FormatException($"the object has no '{field}'") : value;
}

public sealed record StripeInvoiceItem(
    string Id, string Customer, string? Invoice, long Amount, string Currency, string? Description,
    IReadOnlyDictionary<string, string>? Metadata)
{
    internal static StripeInvoiceItem From(global::Stripe.InvoiceItem i) =>
        new(StripeCustomer.Required(i.Id, "id"), StripeCustomer.Required(i.CustomerId, "customer"), i.InvoiceId, StripeAmounts.FromStripe(i.Amount, i.Currency),
            StripeCustomer.Required(i.Currency, "currency"), i.Description, i.Metadata);
}

public sealed record StripeInvoice(
    string Id, string Customer, string? Status, string Currency, long Total, long AmountDue,
    IReadOnlyDictionary<string, string>? Metadata, string? Number)
{
    internal static StripeInvoice From(global::Stripe.Invoice i) =>
        new(StripeCustomer.Required(i.Id, "id"), StripeCustomer.Required(i.CustomerId, "customer"), i.Status,
            StripeCustomer.Required(i.Currency, "currency"), StripeAmounts.FromStripe(i.Total, i.Currency),
            StripeAmounts.FromStripe(i.AmountDue, i.Currency), i.Metadata, i.Number);
}

/// <summary>The fields of a Stripe credit note this system reads (amounts in minor units).</summary>
public sealed record StripeCreditNote(string Id, string Invoice, long Total, string? Status, IReadOnlyDictionary<string, string>? Metadata)
{
    internal static StripeCreditNote From(global::Stripe.CreditNote c) =>
        new(StripeCustomer.Required(c.Id, "id"), StripeCustomer.Required(c.InvoiceId, "invoice"),
            StripeAmounts.FromStripe(c.Total, c.Currency), c.Status, c.Metadata);
}

/// <summary>
/// A payment of an invoice (Stripe's InvoicePayment): how a payment intent, and so its charges, refunds and
/// disputes, leads to the invoice it paid. Stripe API versions since 2025-03-31 have no charge.invoice.
/// </summary>
public sealed record StripeInvoicePayment(string Id, string Invoice, string? PaymentIntent, string? Status, long? AmountPaid)
{
    internal static StripeInvoicePayment From(global::Stripe.InvoicePayment p) =>
        new(StripeCustomer.Required(p.Id, "id"), StripeCustomer.Required(p.InvoiceId, "invoice"), p.Payment?.PaymentIntentId, p.Status,
            StripeAmounts.FromStripe(p.AmountPaid, p.Currency));
}
