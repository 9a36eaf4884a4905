namespace Billing.Ledger;

/// <summary>
/// What the ledger already holds for one invoice. Refunds and disputes are checked against it, and the tax share
/// of a refund depends on what was refunded before (see <see cref="PostingRules.ForRefund"/>).
/// </summary>
public sealed record InvoiceBalance(
    Guid InvoiceId,
    Guid AccountId,
    string Currency,
    long TotalMinor,
    long TaxMinor,
    long PaidMinor = 0,
    long RefundedToCashMinor = 0,
    long CreditedToReceivableMinor = 0,
    long DisputeLostMinor = 0)
{
    /// <summary>Everything given back by credit notes, to cash or to the receivable.</summary>
    public long RefundedMinor => RefundedToCashMinor + CreditedToReceivableMinor;

    /// <summary>Money received for the invoice and still held: the ceiling of a cash refund or a lost dispute.</summary>
    public long CashHeldMinor => PaidMinor - RefundedToCashMinor - DisputeLostMinor;

    public static InvoiceBalance Of(InvoiceForPosting invoice) =>
        new(invoice.InvoiceId, invoice.AccountId, LedgerCurrency.Normalize(invoice.Currency), invoice.TotalMinor, invoice.TaxMinor);

    /// <summary>Rebuilds the balance from the invoice's stored entries (its invoice entry must be among them).</summary>
    public static InvoiceBalance FromLedger(IEnumerable<JournalEntry> entriesOfInvoice)
    {
        var entries = entriesOfInvoice.ToList();
        var invoiceEntry = entries.SingleOrDefault(e => e.SourceType == SourceTypes.Invoice)
            ?? throw new LedgerRuleException("the invoice has no invoice entry in the ledger yet");
        var balance = new InvoiceBalance(
            invoiceEntry.InvoiceId ?? throw new LedgerRuleException($"entry {invoiceEntry.SourceKey} has no invoice id"),
            invoiceEntry.AccountId ?? Guid.Empty,
            invoiceEntry.Currency,
            Sum(invoiceEntry, LedgerAccounts.AccountsReceivable, debit: true) - Sum(invoiceEntry, LedgerAccounts.AccountsReceivable, debit: false),
            Sum(invoiceEntry, LedgerAccounts.TaxPayable, debit: false) - Sum(invoiceEntry, LedgerAccounts.TaxPayable, debit: true));
        return entries.Where(e => e != invoiceEntry).Aggregate(balance, (b, e) => b.Apply(e));
    }

    /// <summary>The balance after a payment, refund or dispute entry of this invoice.</summary>
    public InvoiceBalance Apply(JournalEntry entry) => entry.SourceType switch
    {
        SourceTypes.Payment => this with { PaidMinor = PaidMinor + Sum(entry, LedgerAccounts.Cash, debit: true) },
        SourceTypes.Refund => this with
        {
            RefundedToCashMinor = RefundedToCashMinor + Sum(entry, LedgerAccounts.Cash, debit: false),
            CreditedToReceivableMinor = CreditedToReceivableMinor + Sum(entry, LedgerAccounts.AccountsReceivable, debit: false),
        },
        // A credit note lowers what the customer owes, as a refund to the receivable does.
        SourceTypes.CreditNote => this with
        {
            CreditedToReceivableMinor = CreditedToReceivableMinor + Sum(entry, LedgerAccounts.AccountsReceivable, debit: false),
        },
        SourceTypes.Dispute => this with { DisputeLostMinor = DisputeLostMinor + Sum(entry, LedgerAccounts.DisputeLosses, debit: true) },
        _ => this,
    };

    static long Sum(JournalEntry entry, string account, bool debit) =>
        entry.Lines.Where(l => l.LedgerAccount == account).Sum(l => debit ? l.DebitMinor : l.CreditMinor);
}
