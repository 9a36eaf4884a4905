namespace Billing.Ledger.Tests;

public class When_an_invoice_with_several_revenue_streams_is_posted
{
    readonly JournalEntry _entry = PostingRules.ForInvoice(Sample.MultiStreamInvoice(), Sample.At);

    [Fact]
    public void Does_debit_receivable_with_the_total() =>
        Assert.Equal(2618, _entry.Debit(LedgerAccounts.AccountsReceivable));

    [Fact]
    public void Does_credit_each_revenue_account_once_with_its_lines_summed_and_tier_lines_left_out()
    {
        var revenue = _entry.Lines.Where(l => LedgerAccounts.IsRevenue(l.LedgerAccount))
            .Select(l => (l.LedgerAccount, l.CreditMinor)).ToList();

        Assert.Equal(
            [("revenue:subscription", 1000L), ("revenue:usage:api_calls", 400L), ("revenue:usage:storage_gb", 300L), ("revenue:services", 500L)],
            revenue);
    }

    [Fact]
    public void Does_credit_tax_payable_with_the_tax() =>
        Assert.Equal(418, _entry.Credit(LedgerAccounts.TaxPayable));

    [Fact]
    public void Does_balance_and_carry_the_invoice_keys()
    {
        _entry.EnsureBalanced();
        Assert.Equal((SourceTypes.Invoice, "11111111-0000-0000-0000-000000000001"), (_entry.SourceType, _entry.SourceId));
        Assert.Equal(Sample.MultiStreamInvoice().AccountId, _entry.AccountId);
        Assert.Equal("EUR", _entry.Currency);
    }

    [Fact]
    public void Does_build_the_same_entry_when_redelivered()
    {
        var again = PostingRules.ForInvoice(Sample.MultiStreamInvoice(), Sample.At);

        Assert.Equal(_entry.Id, again.Id);
        Assert.Equal(_entry.Lines, again.Lines);
    }
}

public class When_an_invoice_has_a_credit_line
{
    [Fact]
    public void Does_debit_the_revenue_account_the_credit_reduces()
    {
        var invoice = Sample.Simple(1000, 0) with
        {
            Lines = [new(InvoiceLineKinds.BaseFee, null, 1000), new(InvoiceLineKinds.Charge, null, -1200)],
            SubtotalMinor = -200,
            TotalMinor = -200,
        };

        var entry = PostingRules.ForInvoice(invoice, Sample.At);

        Assert.Equal(200, entry.Credit(LedgerAccounts.AccountsReceivable));
        Assert.Equal(1200, entry.Debit(LedgerAccounts.ServicesRevenue));
        Assert.Equal(1000, entry.Credit(LedgerAccounts.SubscriptionRevenue));
    }

    [Fact]
    public void Does_still_post_a_zero_invoice_so_it_has_its_entry()
    {
        var entry = PostingRules.ForInvoice(Sample.Simple(0, 0), Sample.At);

        var line = Assert.Single(entry.Lines);
        Assert.Equal((LedgerAccounts.AccountsReceivable, 0L, 0L), (line.LedgerAccount, line.DebitMinor, line.CreditMinor));
    }
}

public class When_an_invoice_does_not_add_up
{
    [Fact]
    public void Does_refuse_lines_that_do_not_sum_to_the_subtotal()
    {
        var invoice = Sample.MultiStreamInvoice() with { SubtotalMinor = 2201, TotalMinor = 2619 };

        var error = Assert.Throws<LedgerRuleException>(() => PostingRules.ForInvoice(invoice, Sample.At));

        Assert.Contains("2200", error.Reason);
    }

    [Fact]
    public void Does_refuse_a_total_other_than_subtotal_plus_tax() =>
        Assert.Throws<LedgerRuleException>(() => PostingRules.ForInvoice(Sample.MultiStreamInvoice() with { TotalMinor = 2617 }, Sample.At));

    [Fact]
    public void Does_refuse_an_unknown_line_kind()
    {
        var invoice = Sample.Simple(100, 0) with { Lines = [new("discount", null, 100)] };

        Assert.Contains("discount", Assert.Throws<LedgerRuleException>(() => PostingRules.ForInvoice(invoice, Sample.At)).Reason);
    }

    [Fact]
    public void Does_refuse_a_usage_line_without_metric()
    {
        var invoice = Sample.Simple(100, 0) with { Lines = [new(InvoiceLineKinds.Usage, " ", 100)] };

        Assert.Throws<LedgerRuleException>(() => PostingRules.ForInvoice(invoice, Sample.At));
    }

    [Fact]
    public void Does_refuse_a_currency_that_is_not_an_iso_code() =>
        Assert.Throws<LedgerRuleException>(() => PostingRules.ForInvoice(Sample.MultiStreamInvoice("EURO"), Sample.At));

    [Fact]
    public void Does_accept_a_lower_case_currency_and_store_it_upper_case() =>
        Assert.Equal("EUR", PostingRules.ForInvoice(Sample.MultiStreamInvoice("eur"), Sample.At).Currency);
}

public class When_an_invoice_lacks_its_keys
{
    [Fact]
    public void Does_refuse_an_empty_invoice_id() =>
        Assert.Throws<LedgerRuleException>(() => PostingRules.ForInvoice(Sample.MultiStreamInvoice() with { InvoiceId = Guid.Empty }, Sample.At));

    [Fact]
    public void Does_refuse_an_empty_account_id() =>
        Assert.Throws<LedgerRuleException>(() => PostingRules.ForInvoice(Sample.MultiStreamInvoice() with { AccountId = Guid.Empty }, Sample.At));
}
