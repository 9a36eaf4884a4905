namespace Billing.Ledger;

/// <summary>The ledger's reading of a currency code: trimmed and upper-cased, then one of <see cref="Currencies"/>;
/// anything else is a rule violation, not a retryable error.</summary>
public static class LedgerCurrency
{
    /// <exception cref="LedgerRuleException">when the code is not a known ISO 4217 currency.</exception>
    public static string Normalize(string? currency) => Info(currency).Code;

    /// <exception cref="LedgerRuleException">when the code is not a known ISO 4217 currency.</exception>
    public static CurrencyInfo Info(string? currency) =>
        Currencies.TryGet(currency?.Trim().ToUpperInvariant(), out var info)
            ? info
            : throw new LedgerRuleException($"currency '{currency}' is not a known three-letter ISO 4217 code");
}
