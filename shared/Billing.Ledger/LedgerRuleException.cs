namespace Billing.Ledger;

/// <summary>
/// A source document that can never be posted (bad amounts, wrong currency, refund above what was paid).
/// Retrying cannot help: the caller records <see cref="Reason"/> and changes nothing.
/// </summary>
public sealed class LedgerRuleException(string reason) : Exception(reason)
{
    public string Reason { get; } = reason;
}
