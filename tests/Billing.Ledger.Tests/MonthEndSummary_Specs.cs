namespace Billing.Ledger.Tests;

public class When_a_month_end_summary_is_built
{
    readonly MonthEndSummary _summary;

    public When_a_month_end_summary_is_built()
    {
        var eur = Sample.MultiStreamInvoice();
        var usd = Sample.Simple(1000, 100, "USD");
        var eurBalance = InvoiceBalance.Of(eur);
        var payment = PostingRules.ForPayment("evt_1", eurBalance, 2618, "EUR", Sample.At);
        var nextMonth = PostingRules.ForPayment("evt_2", InvoiceBalance.Of(usd), 1100, "USD", new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        _summary = MonthEndSummary.Build(
            [PostingRules.ForInvoice(eur, Sample.At), payment, PostingRules.ForInvoice(usd, Sample.At), nextMonth],
            "2026-10");
    }

    [Fact]
    public void Does_total_each_account_per_currency_for_the_period_only()
    {
        var eur = _summary.Currencies.Single(c => c.Currency == "EUR");
        var usd = _summary.Currencies.Single(c => c.Currency == "USD");

        Assert.Equal(3, _summary.EntryCount);
        Assert.Equal(new AccountTotal(LedgerAccounts.AccountsReceivable, 2618, 2618), eur.Accounts.Single(a => a.LedgerAccount == LedgerAccounts.AccountsReceivable));
        Assert.Equal(-418, eur.Accounts.Single(a => a.LedgerAccount == LedgerAccounts.TaxPayable).BalanceMinor);
        Assert.Equal(1100, usd.Accounts.Single(a => a.LedgerAccount == LedgerAccounts.AccountsReceivable).BalanceMinor);
        Assert.DoesNotContain(usd.Accounts, a => a.LedgerAccount == LedgerAccounts.Cash);
    }

    [Fact]
    public void Does_pass_the_trial_balance()
    {
        Assert.True(_summary.TrialBalanceOk);
        Assert.All(_summary.Currencies, c => Assert.Equal(c.DebitMinor, c.CreditMinor));
    }

    [Fact]
    public void Does_fail_the_trial_balance_when_an_unbalanced_entry_slipped_in()
    {
        var broken = new JournalEntry(Guid.NewGuid(), SourceTypes.Payment, "evt_x", null, null, "USD", Sample.At,
            [JournalLine.Debit(LedgerAccounts.Cash, 10, "x")]);

        var summary = MonthEndSummary.Build([broken], "2026-10");

        Assert.False(summary.TrialBalanceOk);
    }

    [Fact]
    public void Does_write_markdown_tables_per_currency()
    {
        var writer = new StringWriter();
        _summary.WriteMarkdown(writer);
        var text = writer.ToString();

        Assert.Contains("# Month-end summary 2026-10", text);
        Assert.Contains("Trial balance: balanced", text);
        Assert.Contains("| accounts_receivable | 26.18 | 26.18 | 0.00 |", text);
        Assert.Contains("| tax_payable | 0.00 | 1.00 | -1.00 |", text);
    }

    [Fact]
    public void Does_write_csv_with_a_total_row_per_currency()
    {
        var writer = new StringWriter();
        _summary.WriteCsv(writer);
        var rows = writer.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("period,currency,ledger_account,debit_minor,credit_minor,balance_minor,debit,credit,balance", rows[0]);
        Assert.Contains("2026-10,USD,(total),1100,1100,0,11.00,11.00,0.00", rows);
        Assert.Contains("2026-10,EUR,revenue:usage:api_calls,0,400,-400,0.00,4.00,-4.00", rows);
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("2026-1")]
    [InlineData("October")]
    [InlineData("")]
    public void Does_refuse_a_period_that_is_not_a_month(string period) =>
        Assert.Contains("yyyy-MM", Assert.Throws<ArgumentException>(() => MonthEndSummary.Build([], period)).Message);
}
