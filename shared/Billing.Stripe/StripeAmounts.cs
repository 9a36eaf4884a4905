using Billing.Vocabulary;

namespace Billing.Stripe;

/// <summary>
/// Stripe's <c>amount</c> fields against our minor units (<see cref="Currencies"/>): the same number for almost every
/// currency, but ISK, which has no minor unit, is still sent and received in hundredths (12,345 krónur are 1234500).
/// Every amount crossing the client goes through here; callers speak minor units only.
/// </summary>
public static class StripeAmounts
{
    /// <summary>Our minor units as Stripe's amount.</summary>
    /// <exception cref="ArgumentException">for a currency not in the table: nothing is sent.</exception>
    public static long ToStripe(long minor, string currency)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(currency);
        return Currencies.Get(currency.ToUpperInvariant()).ToStripeAmount(minor);
    }

    /// <summary>Stripe's amount in our minor units; a currency not in the table is taken as it comes (we invoice in
    /// none, and the ledger refuses it by name).</summary>
    public static long FromStripe(long amount, string? currency) =>
        currency is not null && Currencies.TryGet(currency.ToUpperInvariant(), out var info) ? info.FromStripeAmount(amount) : amount;

    public static long? FromStripe(long? amount, string? currency) => amount is { } a ? FromStripe(a, currency) : null;
}
