namespace Billing.Ledger;

/// <summary>
/// Chart of accounts. Names are stable strings stored in <c>journal_lines.ledger_account</c> and sent to
/// accounting connectors, so they are never renamed.
/// </summary>
/// <remarks>
/// Refunds follow Stripe's credit notes: a refund does not reverse the original revenue lines (Stripe reports
/// a refund without a line allocation) but debits the contra-revenue account <see cref="Refunds"/> and the
/// tax it gives back. Gross revenue per stream stays readable and net revenue = revenue − refunds.
/// Lost disputes are a loss of their own, not a refund: the customer did not ask for a credit note.
/// </remarks>
public static class LedgerAccounts
{
    /// <summary>Revenue account of an invoice line by its kind (<see cref="InvoiceLineKinds"/>), or null for a tier line
    /// (already inside its parent's amount, so never posted).</summary>
    public static string? RevenueAccount(InvoiceLineForPosting line) => line.Kind switch
    {
        InvoiceLineKinds.BaseFee => SubscriptionRevenue,
        InvoiceLineKinds.Usage => UsageRevenue(line.Component ?? ""),
        InvoiceLineKinds.Charge => ServicesRevenue,
        InvoiceLineKinds.Tier => null,
        _ => throw new LedgerRuleException($"invoice line kind '{line.Kind}' has no revenue account"),
    };

    /// <summary>Asset: what customers owe. Debited by invoices, credited by payments and credit notes.</summary>
    public const string AccountsReceivable = "accounts_receivable";

    /// <summary>Asset: money received (the Stripe balance).</summary>
    public const string Cash = "cash";

    /// <summary>Revenue from the plan's base fee.</summary>
    public const string SubscriptionRevenue = "revenue:subscription";

    /// <summary>Revenue from one-off charges (e.g. a managed-service job).</summary>
    public const string ServicesRevenue = "revenue:services";

    /// <summary>Liability: tax collected on behalf of the authorities.</summary>
    public const string TaxPayable = "tax_payable";

    /// <summary>Contra-revenue: credit notes (refunds to cash or to the customer's receivable).</summary>
    public const string Refunds = "contra_revenue:refunds";

    /// <summary>
    /// Contra-revenue: credit notes an operator issues (overcharge, duplicate usage, goodwill). Like refunds they do not
    /// rewrite the invoice's revenue lines: gross revenue per stream stays readable, net revenue = revenue − credit notes.
    /// </summary>
    public const string CreditNotes = "contra_revenue:credit_notes";

    /// <summary>Expense: money taken back by a lost dispute (chargeback).</summary>
    public const string DisputeLosses = "dispute_losses";

    const string UsagePrefix = "revenue:usage:";

    /// <summary>Revenue account of one metered metric, e.g. <c>revenue:usage:api_calls</c>.</summary>
    public static string UsageRevenue(string metric)
    {
        if (string.IsNullOrWhiteSpace(metric))
            throw new LedgerRuleException("a usage line needs its metric to choose a revenue account");
        return UsagePrefix + metric.Trim();
    }

    /// <summary>True for revenue accounts (their normal balance is a credit).</summary>
    public static bool IsRevenue(string ledgerAccount) => ledgerAccount.StartsWith("revenue:", StringComparison.Ordinal);
}
