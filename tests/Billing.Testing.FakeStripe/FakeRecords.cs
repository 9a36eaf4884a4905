namespace Billing.Testing.FakeStripe;

// Immutable snapshots of the fake's state, for assertions. Amounts are minor units, times unix seconds.

public sealed record FakeCustomer(string Id, string? Name, string? Email, IReadOnlyDictionary<string, string> Metadata, long Created);

public sealed record FakeInvoiceItem(
    string Id, string Customer, string? Invoice, long Amount, string Currency, string? Description,
    IReadOnlyDictionary<string, string> Metadata, long Created);

public sealed record FakeInvoice(
    string Id, string Customer, string Status, string Currency, long Total, long AmountDue,
    IReadOnlyDictionary<string, string> Metadata, string? Number, bool AutoAdvance, string CollectionMethod,
    long? DaysUntilDue, IReadOnlyList<string> ItemIds, long Created, long? DueDate = null);

/// <summary>
/// One request as the fake received it; <see cref="Form"/> holds the decoded body fields, <see cref="ReceivedAt"/> the
/// wall-clock time it arrived (the real clock even when the fake's own clock is a test clock), for rate checks.
/// </summary>
public sealed record FakeRequest(
    string Method, string Path, string? IdempotencyKey, string? StripeVersion, IReadOnlyList<KeyValuePair<string, string>> Form,
    DateTimeOffset ReceivedAt = default);

/// <summary>A webhook body and the Stripe-Signature header that goes with it.</summary>
public sealed record FakeWebhook(string Payload, string SignatureHeader);

/// <summary>A credit note: <see cref="Amount"/> in total, of which <see cref="CreditAmount"/> went to the customer's balance.</summary>
public sealed record FakeCreditNote(string Id, string Invoice, long Amount, long CreditAmount, string? Memo,
    IReadOnlyDictionary<string, string> Metadata, long Created);

/// <summary>An invoice paid through a payment intent (Stripe's InvoicePayment), with the charge that took the money.</summary>
public sealed record FakeInvoicePayment(string Id, string Invoice, string PaymentIntent, string Charge, long Amount, string Currency, long Created);
