namespace Billing.Stripe;

/// <summary>
/// Idempotency keys derived from our invoice id, so a redelivered message repeats the very same Stripe
/// requests instead of creating a second customer, item or invoice.
/// </summary>
public static class StripeIdempotencyKeys
{
    public static string Customer(Guid invoiceId) => $"{Prefix(invoiceId)}-customer";

    public static string Item(Guid invoiceId, int lineNo) =>
        lineNo < 1
            ? throw new ArgumentOutOfRangeException(nameof(lineNo), lineNo, "Line numbers start at 1.")
            : $"{Prefix(invoiceId)}-item-{lineNo}";

    public static string Invoice(Guid invoiceId) => $"{Prefix(invoiceId)}-invoice";

    public static string Finalize(Guid invoiceId) => $"{Prefix(invoiceId)}-finalize";

    private static string Prefix(Guid invoiceId) =>
        invoiceId == Guid.Empty
            ? throw new ArgumentException("An idempotency key needs a real invoice id, not Guid.Empty.", nameof(invoiceId))
            : $"billing-{invoiceId:D}";
}
