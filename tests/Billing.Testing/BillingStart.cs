using System.Globalization;

namespace Billing.Testing;

/// <summary>
/// Accounts are billed from their billing start (default: the day they are created), so an account a test creates
/// today is skipped by a run for a past month. Tests and tools that bill a past month start their accounts on that
/// month's first day.
/// </summary>
public static class BillingStart
{
    /// <summary>"2026-10" → 2026-10-01.</summary>
    public static DateOnly Of(string period) =>
        DateOnly.ParseExact(period + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
