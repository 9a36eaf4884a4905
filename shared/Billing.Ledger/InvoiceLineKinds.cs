namespace Billing.Ledger;

/// <summary>Invoice line kinds as stored in <c>invoice_lines.kind</c>.</summary>
public static class InvoiceLineKinds
{
    public const string BaseFee = "base_fee";
    public const string Usage = "usage";
    public const string Charge = "charge";

    /// <summary>Breakdown of a usage line; already inside its parent's amount, so never posted.</summary>
    public const string Tier = "tier";

    /// <summary>Revenue account of a line, or null for a tier line.</summary>
    public static string? RevenueAccount(InvoiceLineForPosting line) => line.Kind switch
    {
        BaseFee => LedgerAccounts.SubscriptionRevenue,
        Usage => LedgerAccounts.UsageRevenue(line.Component ?? ""),
        Charge => LedgerAccounts.ServicesRevenue,
        Tier => null,
        _ => throw new LedgerRuleException($"invoice line kind '{line.Kind}' has no revenue account"),
    };
}
