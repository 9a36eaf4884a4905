namespace Billing.Ledger.Tests;

/// <summary>
/// 1,000 invoices with random payments, refunds (to cash or to the receivable) and lost disputes from a fixed
/// seed. The expectations are tracked here, by the test, without the ledger's own balance type.
/// </summary>
public class When_a_thousand_invoices_are_paid_and_refunded_at_random
{
    sealed class Tracked
    {
        public long Total, Tax, Paid, RefundedCash, Credited, Disputed, TaxBack;
    }

    static readonly string[] Currencies = ["USD", "EUR", "JPY"];
    static readonly string[] Metrics = ["api_calls", "storage_gb", "seats"];
    static readonly decimal[] TaxRates = [0m, 7m, 19m, 20.5m];

    readonly List<JournalEntry> _entries = [];
    readonly Dictionary<Guid, long> _expectedReceivableByAccount = [];
    readonly Dictionary<Guid, Tracked> _invoices = [];
    int _refused, _wronglyRefused, _wronglyAccepted, _refunds;

    public When_a_thousand_invoices_are_paid_and_refunded_at_random()
    {
        var rng = new Random(20261031);
        var accounts = Enumerable.Range(0, 150).Select(i => (Id: new Guid(i + 1, 0, 0, new byte[8]), Currency: Currencies[i % 3])).ToList();
        for (var i = 0; i < 1000; i++)
        {
            var (accountId, currency) = accounts[rng.Next(accounts.Count)];
            var invoice = RandomInvoice(rng, accountId, currency, i);
            var tracked = new Tracked { Total = invoice.TotalMinor, Tax = invoice.TaxMinor };
            _invoices[invoice.InvoiceId] = tracked;
            Post(PostingRules.ForInvoice(invoice, Sample.At));
            _expectedReceivableByAccount[accountId] = _expectedReceivableByAccount.GetValueOrDefault(accountId) + invoice.TotalMinor;

            var balance = InvoiceBalance.Of(invoice);
            if (invoice.TotalMinor > 0 && rng.NextDouble() < 0.75)
            {
                var amount = rng.NextDouble() < 0.8 ? invoice.TotalMinor : rng.NextInt64(1, invoice.TotalMinor + 1);
                balance = Post(PostingRules.ForPayment($"evt_{i}", balance, amount, currency, Sample.At), balance);
                tracked.Paid += amount;
                _expectedReceivableByAccount[accountId] -= amount;
            }
            var fullRefund = tracked.Paid == tracked.Total && tracked.Total > 2 && rng.NextDouble() < 0.15;
            var pieces = fullRefund ? SplitInto(rng, tracked.Total, rng.Next(1, 4)) : RandomAttempts(rng, tracked.Total);
            for (var r = 0; r < pieces.Count; r++)
                balance = TryRefund(rng, $"re_{i}_{r}", balance, tracked, accountId, currency, pieces[r], toReceivable: !fullRefund && rng.NextDouble() < 0.4);
            var held = tracked.Paid - tracked.RefundedCash;
            if (held > 0 && rng.NextDouble() < 0.05)
            {
                Post(PostingRules.ForDisputeLost($"dp_{i}", balance, held, currency, Sample.At));
                tracked.Disputed += held;
            }
        }
    }

    InvoiceBalance TryRefund(Random rng, string id, InvoiceBalance balance, Tracked tracked, Guid accountId, string currency, long amount, bool toReceivable)
    {
        var shouldRefuse = amount > tracked.Total - tracked.RefundedCash - tracked.Credited
            || (!toReceivable && amount > tracked.Paid - tracked.RefundedCash - tracked.Disputed);
        JournalEntry entry;
        try
        {
            entry = PostingRules.ForRefund(id, balance, amount, currency, toReceivable, Sample.At);
        }
        catch (LedgerRuleException)
        {
            _refused++;
            if (!shouldRefuse)
                _wronglyRefused++;
            return balance;
        }
        if (shouldRefuse)
            _wronglyAccepted++;
        _refunds++;
        tracked.TaxBack += entry.Debit(LedgerAccounts.TaxPayable) - entry.Credit(LedgerAccounts.TaxPayable);
        if (toReceivable)
        {
            tracked.Credited += amount;
            _expectedReceivableByAccount[accountId] -= amount;
        }
        else
        {
            tracked.RefundedCash += amount;
        }
        return Post(entry, balance);
    }

    InvoiceBalance Post(JournalEntry entry, InvoiceBalance balance)
    {
        Post(entry);
        return balance.Apply(entry);
    }

    void Post(JournalEntry entry) => _entries.Add(entry);

    static InvoiceForPosting RandomInvoice(Random rng, Guid accountId, string currency, int i)
    {
        var lines = new List<InvoiceLineForPosting> { new(InvoiceLineKinds.BaseFee, null, rng.Next(0, 5000)) };
        for (var u = rng.Next(0, 4); u > 0; u--)
        {
            var usage = new InvoiceLineForPosting(InvoiceLineKinds.Usage, Metrics[rng.Next(Metrics.Length)], rng.Next(0, 100_000));
            lines.Add(usage);
            lines.Add(usage with { Kind = InvoiceLineKinds.Tier });
        }
        if (rng.NextDouble() < 0.2)
            lines.Add(new(InvoiceLineKinds.Charge, null, rng.Next(1, 20_000)));
        var subtotal = lines.Where(l => l.Kind != InvoiceLineKinds.Tier).Sum(l => l.AmountMinor);
        var tax = (long)Math.Round(subtotal * TaxRates[rng.Next(TaxRates.Length)] / 100m, MidpointRounding.AwayFromZero);
        var id = new byte[16];
        rng.NextBytes(id);
        return new(new Guid(id), accountId, $"INV-{i:D6}", currency, lines, subtotal, tax, subtotal + tax);
    }

    static List<long> RandomAttempts(Random rng, long total) =>
        Enumerable.Range(0, rng.Next(0, 3)).Select(_ => rng.NextInt64(1, total + 100)).ToList();

    static List<long> SplitInto(Random rng, long total, int pieces)
    {
        var cuts = Enumerable.Range(0, pieces - 1).Select(_ => rng.NextInt64(1, total)).Append(0).Append(total).Distinct().Order().ToList();
        return cuts.Zip(cuts.Skip(1), (a, b) => b - a).ToList();
    }

    [Fact]
    public void Does_balance_every_entry_and_key_each_document_once()
    {
        Assert.All(_entries, e => e.EnsureBalanced());
        Assert.Equal(_entries.Count, _entries.Select(e => e.SourceKey).Distinct().Count());
        Assert.Equal(_entries.Count, _entries.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public void Does_keep_the_trial_balance_at_zero_per_currency()
    {
        var summary = MonthEndSummary.Build(_entries, "2026-10");

        Assert.True(summary.TrialBalanceOk);
        Assert.Equal(Currencies.Order(StringComparer.Ordinal), summary.Currencies.Select(c => c.Currency));
        foreach (var currency in Currencies)
        {
            var lines = _entries.Where(e => e.Currency == currency).SelectMany(e => e.Lines).ToList();
            Assert.Equal(lines.Sum(l => l.DebitMinor), lines.Sum(l => l.CreditMinor));
        }
    }

    [Fact]
    public void Does_leave_each_account_owing_invoiced_minus_paid_minus_credited()
    {
        var ledger = _entries
            .GroupBy(e => e.AccountId!.Value)
            .ToDictionary(g => g.Key, g => g.Sum(e => e.Debit(LedgerAccounts.AccountsReceivable) - e.Credit(LedgerAccounts.AccountsReceivable)));

        Assert.Equal(_expectedReceivableByAccount.OrderBy(p => p.Key), ledger.OrderBy(p => p.Key));
    }

    [Fact]
    public void Does_refuse_exactly_the_refunds_above_what_was_invoiced_or_paid()
    {
        Assert.Equal((0, 0), (_wronglyRefused, _wronglyAccepted));
        Assert.True(_refused > 50, $"only {_refused} refunds were refused: the generator no longer tests refusal");
        Assert.True(_refunds > 100, $"only {_refunds} refunds were posted");
    }

    [Fact]
    public void Does_give_back_exactly_the_invoiced_tax_of_fully_refunded_invoices()
    {
        var fullyRefunded = _invoices.Values.Where(t => t.RefundedCash + t.Credited == t.Total && t.Total > 0).ToList();

        Assert.True(fullyRefunded.Count > 20, $"only {fullyRefunded.Count} fully refunded invoices");
        Assert.All(fullyRefunded, t => Assert.Equal(t.Tax, t.TaxBack));
    }

    [Fact]
    public void Does_not_let_cash_refunds_and_disputes_exceed_payments()
    {
        var cash = _entries.GroupBy(e => e.InvoiceId!.Value)
            .Select(g => g.Sum(e => e.Debit(LedgerAccounts.Cash) - e.Credit(LedgerAccounts.Cash)));

        Assert.All(cash, held => Assert.True(held >= 0));
    }
}
