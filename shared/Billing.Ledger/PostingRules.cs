namespace Billing.Ledger;

/// <summary>
/// Pure posting rules: each source document becomes one balanced <see cref="JournalEntry"/> or a
/// <see cref="LedgerRuleException"/> saying why it never can. The clock is a parameter so a redelivery of the
/// same document, given the same time, builds an identical entry.
/// </summary>
public static partial class PostingRules
{
    /// <summary>Debit receivable with the total; credit revenue per revenue account (lines grouped) and tax payable.</summary>
    public static JournalEntry ForInvoice(InvoiceForPosting invoice, DateTimeOffset postedAt)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var currency = LedgerCurrency.Normalize(invoice.Currency);
        if (invoice.InvoiceId == Guid.Empty || invoice.AccountId == Guid.Empty)
            throw new LedgerRuleException($"invoice {invoice.Number} needs its invoice id and account id");
        if (invoice.Lines is null)
            throw new LedgerRuleException($"invoice {invoice.Number} has no lines collection");
        if (invoice.SubtotalMinor + invoice.TaxMinor != invoice.TotalMinor)
            throw new LedgerRuleException(
                $"invoice {invoice.Number}: subtotal {invoice.SubtotalMinor} + tax {invoice.TaxMinor} ≠ total {invoice.TotalMinor}");

        // Order of first appearance keeps the line order stable between redeliveries.
        var revenue = new List<(string Account, long Amount)>();
        foreach (var line in invoice.Lines)
        {
            if (LedgerAccounts.RevenueAccount(line) is not { } account)
                continue;
            var at = revenue.FindIndex(r => r.Account == account);
            if (at < 0)
                revenue.Add((account, line.AmountMinor));
            else
                revenue[at] = (account, checked(revenue[at].Amount + line.AmountMinor));
        }
        var linesTotal = revenue.Sum(r => r.Amount);
        if (linesTotal != invoice.SubtotalMinor)
            throw new LedgerRuleException(
                $"invoice {invoice.Number}: lines sum to {linesTotal} but the subtotal is {invoice.SubtotalMinor} (tier lines are not counted)");

        var description = $"Invoice {invoice.Number}";
        var lines = new List<JournalLine> { JournalLine.Debit(LedgerAccounts.AccountsReceivable, invoice.TotalMinor, description) };
        lines.AddRange(revenue.Where(r => r.Amount != 0).Select(r => JournalLine.Credit(r.Account, r.Amount, description)));
        if (invoice.TaxMinor != 0)
            lines.Add(JournalLine.Credit(LedgerAccounts.TaxPayable, invoice.TaxMinor, description));

        var sourceId = invoice.InvoiceId.ToString();
        return Balanced(new JournalEntry(
            SourceKeys.EntryId(SourceTypes.Invoice, sourceId), SourceTypes.Invoice, sourceId,
            invoice.InvoiceId, invoice.AccountId, currency, postedAt, lines));
    }

    /// <summary>
    /// Debit cash, credit receivable. <paramref name="sourceEventId"/> is the Stripe event id. A payment above what
    /// is owed is accepted (the money did arrive); the receivable then shows the customer's credit.
    /// </summary>
    public static JournalEntry ForPayment(string sourceEventId, InvoiceBalance invoice, long amountMinor, string currency, DateTimeOffset postedAt)
    {
        RequireDocument(sourceEventId, "payment event id", invoice, amountMinor, currency);
        var description = $"Payment {sourceEventId}";
        return Entry(SourceTypes.Payment, sourceEventId, invoice, postedAt,
            JournalLine.Debit(LedgerAccounts.Cash, amountMinor, description),
            JournalLine.Credit(LedgerAccounts.AccountsReceivable, amountMinor, description));
    }

    /// <summary>A lost dispute is its own entry: debit dispute losses, credit cash, at most the cash still held.</summary>
    public static JournalEntry ForDisputeLost(string disputeId, InvoiceBalance invoice, long amountMinor, string currency, DateTimeOffset postedAt)
    {
        RequireDocument(disputeId, "dispute id", invoice, amountMinor, currency);
        if (amountMinor > invoice.CashHeldMinor)
            throw new LedgerRuleException(
                $"dispute {disputeId}: {amountMinor} lost exceeds the {invoice.CashHeldMinor} still held for invoice {invoice.InvoiceId}");
        var description = $"Dispute lost {disputeId}";
        return Entry(SourceTypes.Dispute, disputeId, invoice, postedAt,
            JournalLine.Debit(LedgerAccounts.DisputeLosses, amountMinor, description),
            JournalLine.Credit(LedgerAccounts.Cash, amountMinor, description));
    }

    static void RequireDocument(string sourceId, string what, InvoiceBalance invoice, long amountMinor, string currency)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        if (string.IsNullOrWhiteSpace(sourceId))
            throw new LedgerRuleException($"the {what} is missing");
        if (amountMinor <= 0)
            throw new LedgerRuleException($"{what} {sourceId}: amount {amountMinor} must be positive");
        var code = LedgerCurrency.Normalize(currency);
        if (code != invoice.Currency)
            throw new LedgerRuleException(
                $"{what} {sourceId}: currency {code} differs from invoice {invoice.InvoiceId} in {invoice.Currency}");
    }

    static JournalEntry Entry(string sourceType, string sourceId, InvoiceBalance invoice, DateTimeOffset postedAt, params JournalLine[] lines) =>
        Balanced(new JournalEntry(
            SourceKeys.EntryId(sourceType, sourceId), sourceType, sourceId,
            invoice.InvoiceId, invoice.AccountId, invoice.Currency, postedAt, lines));

    static JournalEntry Balanced(JournalEntry entry)
    {
        entry.EnsureBalanced();
        return entry;
    }
}
