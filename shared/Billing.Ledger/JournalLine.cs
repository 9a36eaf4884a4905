namespace Billing.Ledger;

/// <summary>One side of a posting. Exactly one of the amounts is positive (or both zero), never negative.</summary>
public sealed record JournalLine(string LedgerAccount, long DebitMinor, long CreditMinor, string Description)
{
    public static JournalLine Debit(string ledgerAccount, long amountMinor, string description) =>
        Signed(ledgerAccount, amountMinor, description);

    public static JournalLine Credit(string ledgerAccount, long amountMinor, string description) =>
        Signed(ledgerAccount, checked(-amountMinor), description);

    /// <summary>
    /// A positive amount is a debit, a negative one a credit: a one-off credit line on an invoice (negative
    /// amount) then lands on the debit side of its revenue account instead of producing a negative credit.
    /// </summary>
    public static JournalLine Signed(string ledgerAccount, long debitMinusCreditMinor, string description) =>
        debitMinusCreditMinor >= 0
            ? new(ledgerAccount, debitMinusCreditMinor, 0, description)
            : new(ledgerAccount, 0, checked(-debitMinusCreditMinor), description);
}
