namespace Billing.Ledger;

/// <summary>
/// Our invoice status follows Stripe's names, so the mapping is one to one for open, paid, uncollectible and void.
/// A Stripe draft never matches: we only push finalized invoices, so a draft means finalization failed there.
/// </summary>
public static class StripeStatuses
{
    static readonly HashSet<string> Ours = ["open", "paid", "uncollectible", "void"];

    /// <summary>Stripe's status equivalent to ours, or null when ours is unknown.</summary>
    public static string? ToStripe(string ourStatus)
    {
        var status = ourStatus.Trim().ToLowerInvariant();
        return Ours.Contains(status) ? status : null;
    }

    public static bool Matches(string ourStatus, string stripeStatus) =>
        ToStripe(ourStatus) is { } expected && string.Equals(expected, stripeStatus.Trim(), StringComparison.OrdinalIgnoreCase);
}
