namespace Billing.Ledger.Tests;

public class When_a_paid_invoice_is_fully_refunded
{
    [Fact]
    public void Does_give_back_exactly_the_invoiced_tax_and_revenue_to_cash()
    {
        var invoice = Sample.MultiStreamInvoice();
        var paid = InvoiceBalance.Of(invoice) with { PaidMinor = 2618 };

        var entry = PostingRules.ForRefund("re_full", paid, 2618, "EUR", refundToReceivable: false, Sample.At);

        Assert.Equal(418, entry.Debit(LedgerAccounts.TaxPayable));
        Assert.Equal(2200, entry.Debit(LedgerAccounts.Refunds));
        Assert.Equal(2618, entry.Credit(LedgerAccounts.Cash));
        Assert.Equal((SourceTypes.Refund, "re_full"), (entry.SourceType, entry.SourceId));
        entry.EnsureBalanced();
    }
}

public class When_a_partial_refund_is_posted
{
    readonly InvoiceBalance _paid = InvoiceBalance.Of(Sample.Simple(1000, 190, "USD")) with { PaidMinor = 1190 };

    [Fact]
    public void Does_split_tax_by_rounding_half_away_from_zero_and_give_the_rest_to_revenue()
    {
        // 500 × 190 / 1190 = 79.83… → 80 tax, 420 revenue.
        var entry = PostingRules.ForRefund("re_1", _paid, 500, "USD", refundToReceivable: false, Sample.At);

        Assert.Equal(80, entry.Debit(LedgerAccounts.TaxPayable));
        Assert.Equal(420, entry.Debit(LedgerAccounts.Refunds));
        Assert.Equal(500, entry.Credit(LedgerAccounts.Cash));
    }

    [Fact]
    public void Does_credit_receivable_when_the_credit_note_goes_to_the_customer_balance()
    {
        var unpaid = _paid with { PaidMinor = 0 };

        var entry = PostingRules.ForRefund("cn_1", unpaid, 500, "USD", refundToReceivable: true, Sample.At);

        Assert.Equal(500, entry.Credit(LedgerAccounts.AccountsReceivable));
        Assert.Equal(0, entry.Credit(LedgerAccounts.Cash));
    }

    [Theory]
    [InlineData(1000, 190, new long[] { 397, 397, 396 })]
    [InlineData(2, 1, new long[] { 1, 1, 1 })]
    [InlineData(999_999, 189_999, new long[] { 1, 333_333, 2, 333_333, 523_329 })]
    public void Does_lose_no_minor_unit_when_refunds_add_up_to_the_total(long subtotal, long tax, long[] refunds)
    {
        var balance = InvoiceBalance.Of(Sample.Simple(subtotal, tax, "USD")) with { PaidMinor = subtotal + tax };
        long taxBack = 0, revenueBack = 0;
        for (var i = 0; i < refunds.Length; i++)
        {
            var entry = PostingRules.ForRefund($"re_{i}", balance, refunds[i], "USD", refundToReceivable: false, Sample.At);
            entry.EnsureBalanced();
            var taxPart = entry.Debit(LedgerAccounts.TaxPayable);
            // Each part stays within one minor unit of the exact proportion.
            Assert.True(Math.Abs(taxPart - (decimal)refunds[i] * tax / (subtotal + tax)) < 1m, $"refund {i}: tax part {taxPart}");
            taxBack += taxPart;
            revenueBack += entry.Debit(LedgerAccounts.Refunds);
            balance = balance.Apply(entry);
        }

        Assert.Equal(tax, taxBack);
        Assert.Equal(subtotal, revenueBack);
    }
}

public class When_a_refund_exceeds_what_can_be_refunded
{
    readonly InvoiceBalance _invoice = InvoiceBalance.Of(Sample.Simple(1000, 190, "USD"));

    [Fact]
    public void Does_refuse_a_refund_larger_than_the_invoice()
    {
        var error = Assert.Throws<LedgerRuleException>(() =>
            PostingRules.ForRefund("re_1", _invoice with { PaidMinor = 5000 }, 1191, "USD", refundToReceivable: false, Sample.At));

        Assert.Contains("re_1", error.Reason);
        Assert.Contains("1190", error.Reason);
    }

    [Fact]
    public void Does_refuse_a_cash_refund_larger_than_what_was_paid()
    {
        var partlyPaid = _invoice with { PaidMinor = 300 };

        Assert.Throws<LedgerRuleException>(() => PostingRules.ForRefund("re_1", partlyPaid, 301, "USD", refundToReceivable: false, Sample.At));
        Assert.NotNull(PostingRules.ForRefund("re_1", partlyPaid, 300, "USD", refundToReceivable: false, Sample.At));
    }

    [Fact]
    public void Does_refuse_a_refund_that_with_earlier_ones_exceeds_the_invoice()
    {
        var refunded = _invoice with { PaidMinor = 1190, RefundedToCashMinor = 700, CreditedToReceivableMinor = 400 };

        Assert.Throws<LedgerRuleException>(() => PostingRules.ForRefund("re_3", refunded, 91, "USD", refundToReceivable: true, Sample.At));
    }

    [Fact]
    public void Does_refuse_a_refund_in_another_currency() =>
        Assert.Throws<LedgerRuleException>(() =>
            PostingRules.ForRefund("re_1", _invoice with { PaidMinor = 1190 }, 100, "EUR", refundToReceivable: false, Sample.At));

    [Fact]
    public void Does_refuse_a_refund_of_nothing() =>
        Assert.Throws<LedgerRuleException>(() =>
            PostingRules.ForRefund("re_1", _invoice with { PaidMinor = 1190 }, 0, "USD", refundToReceivable: false, Sample.At));
}

public class When_an_invoice_balance_is_rebuilt_from_its_entries
{
    [Fact]
    public void Does_sum_payments_refunds_and_disputes()
    {
        var invoice = Sample.MultiStreamInvoice();
        var invoiceEntry = PostingRules.ForInvoice(invoice, Sample.At);
        var balance = InvoiceBalance.Of(invoice);
        var payment = PostingRules.ForPayment("evt_1", balance, 2618, "EUR", Sample.At);
        balance = balance.Apply(payment);
        var refund = PostingRules.ForRefund("re_1", balance, 600, "EUR", refundToReceivable: false, Sample.At);
        balance = balance.Apply(refund);
        var dispute = PostingRules.ForDisputeLost("dp_1", balance, 1000, "EUR", Sample.At);

        var rebuilt = InvoiceBalance.FromLedger([dispute, refund, invoiceEntry, payment]);

        Assert.Equal(InvoiceBalance.Of(invoice) with { PaidMinor = 2618, RefundedToCashMinor = 600, DisputeLostMinor = 1000 }, rebuilt);
        Assert.Equal(1018, rebuilt.CashHeldMinor);
    }

    [Fact]
    public void Does_refuse_entries_without_the_invoice_entry() =>
        Assert.Throws<LedgerRuleException>(() => InvoiceBalance.FromLedger([]));
}
