namespace Billing.Ledger;

public static partial class PostingRules
{
    /// <summary>
    /// A refund becomes a credit note: debit contra-revenue and tax payable, credit cash (money sent back) or the
    /// receivable (the customer owes less).
    /// </summary>
    /// <remarks>
    /// Tax share, exact in integers: after this refund the cumulative refunded amount R carries tax
    /// round(R × tax / total) (half away from zero), and this refund's tax part is that minus the same figure for
    /// what was refunded before; the revenue part is the rest. Each refund is as close to proportional as integers
    /// allow, and refunds that add up to the total give back exactly the invoiced tax: no minor unit is lost or
    /// invented across partial refunds.
    /// </remarks>
    public static JournalEntry ForRefund(
        string refundId, InvoiceBalance invoice, long amountMinor, string currency, bool refundToReceivable, DateTimeOffset postedAt)
    {
        RequireDocument(refundId, "refund", invoice, amountMinor, currency);
        var refundable = invoice.TotalMinor - invoice.RefundedMinor;
        if (amountMinor > refundable)
            throw new LedgerRuleException(
                $"refund {refundId}: {amountMinor} exceeds the {refundable} of invoice {invoice.InvoiceId} not yet refunded");
        if (!refundToReceivable && amountMinor > invoice.CashHeldMinor)
            throw new LedgerRuleException(
                $"refund {refundId}: {amountMinor} exceeds the {invoice.CashHeldMinor} paid and not yet refunded for invoice {invoice.InvoiceId}");

        var before = invoice.RefundedMinor;
        var taxPart = TaxShare(before + amountMinor, invoice) - TaxShare(before, invoice);
        var revenuePart = amountMinor - taxPart;

        var description = $"Credit note for refund {refundId}";
        var lines = new List<JournalLine>();
        if (revenuePart != 0)
            lines.Add(JournalLine.Signed(LedgerAccounts.Refunds, revenuePart, description));
        if (taxPart != 0)
            lines.Add(JournalLine.Signed(LedgerAccounts.TaxPayable, taxPart, description));
        lines.Add(JournalLine.Credit(refundToReceivable ? LedgerAccounts.AccountsReceivable : LedgerAccounts.Cash, amountMinor, description));
        return Entry(SourceTypes.Refund, refundId, invoice, postedAt, [.. lines]);
    }

    static long TaxShare(long refundedMinor, InvoiceBalance invoice) =>
        MinorRounding.DivideHalfAwayFromZero((Int128)refundedMinor * invoice.TaxMinor, invoice.TotalMinor);
}
