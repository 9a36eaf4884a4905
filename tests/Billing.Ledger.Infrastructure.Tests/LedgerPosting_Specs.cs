using Billing.Ledger;
using Billing.Testing;
using Npgsql;

namespace Billing.Ledger.Infrastructure.Tests;

public sealed class When_invoices_are_posted_to_the_ledger : IAsyncLifetime
{
    TestDatabase db = null!;
    List<SeededInvoice> invoices = null!;
    InvoiceSyncer syncer = null!;
    DocumentPoster poster = null!;
    LedgerStore ledger = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("posting");
        invoices = await InvoiceSeeder.SeedAsync(db.DataSource, 10, 3, ["USD", "JPY"], 11, new DateTimeOffset(2026, 10, 31, 12, 0, 0, TimeSpan.Zero));
        syncer = new InvoiceSyncer(db.DataSource, TimeProvider.System);
        poster = new DocumentPoster(db.DataSource);
        ledger = new LedgerStore(db.DataSource);
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    async Task<long> ScalarAsync(string sql)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Does_post_each_invoice_once_without_its_tier_lines_and_mark_it_synced()
    {
        var first = await syncer.SyncAsync(invoices.Select(i => i.Id).ToList(), default);
        Assert.Equal(invoices.Count, first.Synced.Count(s => s.Inserted));
        Assert.Empty(first.Rejected);

        var second = await syncer.SyncAsync(invoices.Select(i => i.Id).Reverse().ToList(), default);
        Assert.Equal(invoices.Count, second.Synced.Count);
        Assert.DoesNotContain(second.Synced, s => s.Inserted);
        Assert.Equal(invoices.Count, await ScalarAsync("select count(*) from journal_entries"));
        Assert.Equal(invoices.Count, await ScalarAsync("select count(*) from invoices i join journal_entries e on e.id = i.journal_entry_id where i.synced_at is not null"));

        foreach (var invoice in invoices.Take(5))
        {
            var entry = Assert.Single(await ledger.ForInvoiceAsync(invoice.Id, default));
            Assert.Equal(invoice.TotalMinor, entry.Lines.Single(l => l.LedgerAccount == LedgerAccounts.AccountsReceivable).DebitMinor);
            Assert.Equal(invoice.TaxMinor, entry.Lines.Single(l => l.LedgerAccount == LedgerAccounts.TaxPayable).CreditMinor);
            Assert.Equal(invoice.SubtotalMinor, entry.Lines.Where(l => LedgerAccounts.IsRevenue(l.LedgerAccount)).Sum(l => l.CreditMinor));
            Assert.Equal(entry.TotalDebitMinor, entry.TotalCreditMinor);
        }
        var trial = await ledger.TrialBalanceAsync(default);
        Assert.Equal(["JPY", "USD"], trial.Select(c => c.Currency).Order().ToArray());
        Assert.All(trial, c => Assert.True(c.Balanced));
    }

    [Fact]
    public async Task Does_refuse_an_invoice_whose_lines_do_not_add_up_and_post_the_others()
    {
        var bad = invoices[0];
        await ScalarAsync($"update invoices set subtotal_minor = subtotal_minor + 1, total_minor = total_minor + 1 where id = '{bad.Id}'");
        var result = await syncer.SyncAsync(invoices.Take(4).Select(i => i.Id).ToList(), default);
        var rejected = Assert.Single(result.Rejected);
        Assert.Equal(bad.Id, rejected.InvoiceId);
        Assert.Contains("lines sum to", rejected.Reason);
        Assert.Equal(3, result.Synced.Count);
        Assert.Equal(0, await ScalarAsync($"select count(*) from journal_entries where invoice_id = '{bad.Id}'"));
        Assert.Equal(0, await ScalarAsync($"select count(*) from invoices where id = '{bad.Id}' and synced_at is not null"));
    }

    [Fact]
    public async Task Does_refuse_a_payment_before_the_invoice_entry_and_for_an_unknown_invoice()
    {
        var invoice = invoices[1];
        await Assert.ThrowsAsync<InvoiceNotSyncedException>(() => poster.PostAsync(invoice.Id, SourceTypes.Payment, "evt_early",
            b => PostingRules.ForPayment("evt_early", b, 1, invoice.Currency, DateTimeOffset.UtcNow), default));
        await Assert.ThrowsAsync<UnknownInvoiceException>(() => poster.PostAsync(Guid.NewGuid(), SourceTypes.Payment, "evt_x",
            b => PostingRules.ForPayment("evt_x", b, 1, "USD", DateTimeOffset.UtcNow), default));
        Assert.Equal(0, await ScalarAsync("select count(*) from journal_entries"));
    }

    [Fact]
    public async Task Does_mark_paid_once_fully_paid_and_let_only_one_of_two_competing_refunds_in()
    {
        var invoice = invoices[2];
        await syncer.SyncAsync([invoice.Id], default);
        var half = invoice.TotalMinor / 2;
        var partial = await poster.PostAsync(invoice.Id, SourceTypes.Payment, "evt_p1",
            b => PostingRules.ForPayment("evt_p1", b, half, invoice.Currency, DateTimeOffset.UtcNow), default);
        Assert.Equal("open", partial.Status);
        var rest = await poster.PostAsync(invoice.Id, SourceTypes.Payment, "evt_p2",
            b => PostingRules.ForPayment("evt_p2", b, invoice.TotalMinor - half, invoice.Currency, DateTimeOffset.UtcNow), default);
        Assert.Equal("paid", rest.Status);

        // Redelivery of a posted document returns it unchanged, without running the rule again.
        var again = await poster.PostAsync(invoice.Id, SourceTypes.Payment, "evt_p2", _ => throw new LedgerRuleException("rule must not run"), default);
        Assert.False(again.Inserted);

        var sixty = invoice.TotalMinor * 6 / 10;
        var outcomes = await Task.WhenAll(new[] { "re_a", "re_b" }.Select(async id =>
        {
            try
            {
                await poster.PostAsync(invoice.Id, SourceTypes.Refund, id,
                    b => PostingRules.ForRefund(id, b, sixty, invoice.Currency, RefundPolicy.ToReceivable(b, sixty), DateTimeOffset.UtcNow), default);
                return "posted";
            }
            catch (LedgerRuleException)
            {
                return "refused";
            }
        }));
        Assert.Equal(["posted", "refused"], outcomes.Order().ToArray());
        var balance = InvoiceBalance.FromLedger(await ledger.ForInvoiceAsync(invoice.Id, default));
        Assert.Equal(sixty, balance.RefundedToCashMinor);
        Assert.Equal(invoice.TotalMinor, balance.PaidMinor);
    }

    [Fact]
    public async Task Does_credit_the_receivable_for_a_refund_of_an_unpaid_invoice()
    {
        var invoice = invoices[3];
        await syncer.SyncAsync([invoice.Id], default);
        var posted = await poster.PostAsync(invoice.Id, SourceTypes.Refund, "re_unpaid",
            b => PostingRules.ForRefund("re_unpaid", b, invoice.TotalMinor, invoice.Currency, RefundPolicy.ToReceivable(b, invoice.TotalMinor), DateTimeOffset.UtcNow), default);
        Assert.Equal(invoice.TotalMinor, posted.Entry.Lines.Single(l => l.LedgerAccount == LedgerAccounts.AccountsReceivable).CreditMinor);
        Assert.Equal("paid", posted.Status);
        var receivable = await ledger.ReceivableByAccountAsync(default);
        Assert.Equal(0, receivable[(invoice.AccountId, invoice.Currency)]);
    }
}
