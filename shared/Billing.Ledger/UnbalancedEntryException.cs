namespace Billing.Ledger;

/// <summary>A journal entry whose lines are malformed or whose debits differ from its credits.</summary>
public sealed class UnbalancedEntryException(string sourceKey, string currency, long debitMinor, long creditMinor, string message)
    : Exception(message)
{
    public string SourceKey { get; } = sourceKey;
    public string Currency { get; } = currency;
    public long DebitMinor { get; } = debitMinor;
    public long CreditMinor { get; } = creditMinor;
}
