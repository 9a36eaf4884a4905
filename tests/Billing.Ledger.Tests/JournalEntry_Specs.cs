namespace Billing.Ledger.Tests;

public class When_an_entry_is_checked_for_balance
{
    static JournalEntry Entry(string currency, params JournalLine[] lines) =>
        new(Guid.NewGuid(), SourceTypes.Payment, "evt_1", null, null, currency, Sample.At, lines);

    [Fact]
    public void Does_accept_equal_debits_and_credits()
    {
        var entry = Entry("USD", JournalLine.Debit(LedgerAccounts.Cash, 500, "x"), JournalLine.Credit(LedgerAccounts.AccountsReceivable, 500, "x"));

        entry.EnsureBalanced();

        Assert.Equal(500, entry.TotalDebitMinor);
        Assert.Equal(500, entry.TotalCreditMinor);
    }

    [Fact]
    public void Does_reject_debits_that_differ_from_credits_with_both_sums()
    {
        var entry = Entry("USD", JournalLine.Debit(LedgerAccounts.Cash, 500, "x"), JournalLine.Credit(LedgerAccounts.AccountsReceivable, 499, "x"));

        var error = Assert.Throws<UnbalancedEntryException>(entry.EnsureBalanced);

        Assert.Equal((500L, 499L, "USD"), (error.DebitMinor, error.CreditMinor, error.Currency));
        Assert.Contains("payment:evt_1", error.Message);
    }

    [Fact]
    public void Does_reject_a_line_that_is_both_debit_and_credit() =>
        Assert.Throws<UnbalancedEntryException>(Entry("USD", new JournalLine(LedgerAccounts.Cash, 5, 5, "x")).EnsureBalanced);

    [Fact]
    public void Does_reject_a_negative_amount() =>
        Assert.Throws<UnbalancedEntryException>(Entry("USD",
            new JournalLine(LedgerAccounts.Cash, -5, 0, "x"), new JournalLine(LedgerAccounts.AccountsReceivable, -5, 0, "x")).EnsureBalanced);

    [Fact]
    public void Does_reject_an_entry_without_lines() =>
        Assert.Throws<UnbalancedEntryException>(Entry("USD").EnsureBalanced);

    [Theory]
    [InlineData("usd")]
    [InlineData("US")]
    [InlineData("")]
    [InlineData("XTS")]
    public void Does_reject_a_currency_that_is_not_an_iso_code(string currency) =>
        Assert.Throws<UnbalancedEntryException>(Entry(currency, JournalLine.Debit(LedgerAccounts.Cash, 1, "x"), JournalLine.Credit(LedgerAccounts.Cash, 1, "x")).EnsureBalanced);

    [Fact]
    public void Does_reject_totals_that_overflow() =>
        Assert.Throws<UnbalancedEntryException>(Entry("USD",
            JournalLine.Debit(LedgerAccounts.Cash, long.MaxValue, "x"), JournalLine.Debit(LedgerAccounts.Cash, 1, "x"),
            JournalLine.Credit(LedgerAccounts.AccountsReceivable, 1, "x")).EnsureBalanced);
}

public class When_an_entry_id_is_derived_from_its_source
{
    [Fact]
    public void Does_give_the_same_id_to_the_same_document() =>
        Assert.Equal(SourceKeys.EntryId(SourceTypes.Refund, "re_1"), SourceKeys.EntryId(SourceTypes.Refund, "re_1"));

    [Fact]
    public void Does_give_different_ids_to_different_documents()
    {
        Assert.NotEqual(SourceKeys.EntryId(SourceTypes.Refund, "re_1"), SourceKeys.EntryId(SourceTypes.Refund, "re_2"));
        Assert.NotEqual(SourceKeys.EntryId(SourceTypes.Refund, "x"), SourceKeys.EntryId(SourceTypes.Dispute, "x"));
    }

    [Fact]
    public void Does_produce_a_version_5_uuid() =>
        Assert.Equal('5', SourceKeys.EntryId(SourceTypes.Invoice, "a").ToString()[14]);
}
