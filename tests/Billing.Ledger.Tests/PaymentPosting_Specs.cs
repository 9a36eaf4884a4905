namespace Billing.Ledger.Tests;

public class When_a_payment_is_posted
{
    readonly InvoiceBalance _invoice = InvoiceBalance.Of(Sample.Simple(1000, 190, "USD"));

    [Fact]
    public void Does_debit_cash_and_credit_receivable()
    {
        var entry = PostingRules.ForPayment("evt_paid_1", _invoice, 1190, "USD", Sample.At);

        Assert.Equal(1190, entry.Debit(LedgerAccounts.Cash));
        Assert.Equal(1190, entry.Credit(LedgerAccounts.AccountsReceivable));
        Assert.Equal(2, entry.Lines.Count);
        Assert.Equal(("payment", "evt_paid_1", _invoice.InvoiceId), (entry.SourceType, entry.SourceId, entry.InvoiceId!.Value));
        entry.EnsureBalanced();
    }

    [Fact]
    public void Does_refuse_a_currency_other_than_the_invoice_one()
    {
        var error = Assert.Throws<LedgerRuleException>(() => PostingRules.ForPayment("evt_1", _invoice, 1190, "EUR", Sample.At));

        Assert.Contains("EUR", error.Reason);
        Assert.Contains("USD", error.Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Does_refuse_an_amount_that_is_not_positive(long amount) =>
        Assert.Throws<LedgerRuleException>(() => PostingRules.ForPayment("evt_1", _invoice, amount, "USD", Sample.At));

    [Fact]
    public void Does_refuse_a_missing_event_id() =>
        Assert.Throws<LedgerRuleException>(() => PostingRules.ForPayment("", _invoice, 1190, "USD", Sample.At));
}

public class When_a_dispute_is_lost
{
    readonly InvoiceBalance _paid = InvoiceBalance.Of(Sample.Simple(1000, 190, "USD")) with { PaidMinor = 1190 };

    [Fact]
    public void Does_post_its_own_entry_debiting_dispute_losses_and_crediting_cash()
    {
        var entry = PostingRules.ForDisputeLost("dp_1", _paid, 1190, "USD", Sample.At);

        Assert.Equal((SourceTypes.Dispute, "dp_1"), (entry.SourceType, entry.SourceId));
        Assert.Equal(1190, entry.Debit(LedgerAccounts.DisputeLosses));
        Assert.Equal(1190, entry.Credit(LedgerAccounts.Cash));
        entry.EnsureBalanced();
    }

    [Fact]
    public void Does_refuse_more_than_the_cash_still_held()
    {
        var refunded = _paid with { RefundedToCashMinor = 200 };

        Assert.Throws<LedgerRuleException>(() => PostingRules.ForDisputeLost("dp_1", refunded, 991, "USD", Sample.At));
        Assert.NotNull(PostingRules.ForDisputeLost("dp_1", refunded, 990, "USD", Sample.At));
    }

    [Fact]
    public void Does_refuse_a_currency_mismatch() =>
        Assert.Throws<LedgerRuleException>(() => PostingRules.ForDisputeLost("dp_1", _paid, 100, "GBP", Sample.At));
}
