using System.Text.Json;

namespace Billing.Ledger.Tests;

/// <summary>Facts for 40 invoices over 10 accounts that agree everywhere; each spec plants its own differences.</summary>
internal sealed class ReconcileWorld
{
    public List<InvoiceFact> Invoices { get; } = [];
    public Dictionary<Guid, LedgerFact> Ledger { get; } = [];
    public Dictionary<Guid, StripeFact> Stripe { get; } = [];

    public ReconcileWorld()
    {
        string[] statuses = ["open", "paid", "uncollectible", "void"];
        for (var i = 0; i < 40; i++)
        {
            var id = new Guid(i + 1, 1, 1, new byte[8]);
            var invoice = new InvoiceFact(id, new Guid(i % 10 + 1, 2, 2, new byte[8]), $"INV-{i:D4}", i % 2 == 0 ? "USD" : "JPY",
                1000 + i * 37, statuses[i % 4], Emailed: true, Synced: true, $"in_{i}");
            Invoices.Add(invoice);
            Ledger[id] = new LedgerFact(id, invoice.Currency, invoice.TotalMinor);
            Stripe[id] = new StripeFact($"in_{i}", invoice.TotalMinor, invoice.Status);
        }
    }

    public Guid Id(int i) => Invoices[i].InvoiceId;

    public void Update(int i, Func<InvoiceFact, InvoiceFact> change) => Invoices[i] = change(Invoices[i]);

    public ReconcileReport Compare(bool withStripe = true) => Reconciler.Compare(Invoices, Ledger, withStripe ? Stripe : null);
}

public class When_invoices_ledger_and_stripe_agree
{
    readonly ReconcileReport _report = new ReconcileWorld().Compare();

    [Fact]
    public void Does_report_clean_with_the_accounts_checked()
    {
        Assert.Equal((ReconcileReport.Clean, 10, 40, 0), (_report.Status, _report.AccountsChecked, _report.InvoicesChecked, _report.DriftCount));
        Assert.Empty(_report.Drifts);
        Assert.Empty(_report.Acceptable);
    }

    [Fact]
    public void Does_serialize_in_the_shape_of_the_reconcile_endpoint()
    {
        var json = JsonSerializer.Serialize(_report.WithoutDetail(), LedgerJson.Options);

        Assert.StartsWith("{\"status\":\"clean\",\"accounts_checked\":10,\"invoices_checked\":40,\"drift_count\":0", json);
    }
}

public class When_drifts_are_planted
{
    readonly ReconcileWorld _world = new();

    [Fact]
    public void Does_report_exactly_the_planted_drifts_and_nothing_else()
    {
        _world.Ledger.Remove(_world.Id(3));
        _world.Ledger[_world.Id(7)] = _world.Ledger[_world.Id(7)] with { ReceivableDebitMinor = 1 };
        _world.Stripe[_world.Id(11)] = _world.Stripe[_world.Id(11)] with { TotalMinor = 99 };
        _world.Update(13, i => i with { Status = "open" });                   // Stripe still says paid
        _world.Update(17, i => i with { Synced = false });
        _world.Ledger.Remove(_world.Id(17));
        _world.Stripe.Remove(_world.Id(19));
        _world.Stripe[_world.Id(21)] = _world.Stripe[_world.Id(21)] with { Status = "draft" };
        _world.Update(25, i => i with { Emailed = false, Synced = false });   // still in flight, the ledger has it

        var report = _world.Compare();

        Assert.Equal(
            [
                (DriftKinds.MissingInLedger, _world.Id(3)),
                (DriftKinds.LedgerAmountMismatch, _world.Id(7)),
                (DriftKinds.StripeAmountMismatch, _world.Id(11)),
                (DriftKinds.StatusMismatch, _world.Id(13)),
                (DriftKinds.EmailedNotSynced, _world.Id(17)),
                (DriftKinds.MissingInStripe, _world.Id(19)),
                (DriftKinds.StatusMismatch, _world.Id(21)),
            ],
            report.Drifts.Select(d => (d.Kind, d.InvoiceId)));
        Assert.Equal((ReconcileReport.DriftStatus, 7), (report.Status, report.DriftCount));
        Assert.Empty(report.Acceptable);
    }

    [Fact]
    public void Does_say_what_was_expected_and_what_was_found()
    {
        _world.Stripe[_world.Id(11)] = _world.Stripe[_world.Id(11)] with { TotalMinor = 99 };

        var drift = Assert.Single(_world.Compare().Drifts);

        Assert.Equal((_world.Invoices[11].AccountId, "1407", "99"), (drift.AccountId, drift.Expected, drift.Actual));
        Assert.Contains("INV-0011", drift.Detail);
    }

    [Fact]
    public void Does_report_a_ledger_entry_in_another_currency()
    {
        _world.Ledger[_world.Id(4)] = _world.Ledger[_world.Id(4)] with { Currency = "EUR" };

        Assert.Equal(DriftKinds.LedgerAmountMismatch, Assert.Single(_world.Compare().Drifts).Kind);
    }

    [Fact]
    public void Does_skip_stripe_checks_when_stripe_is_not_given()
    {
        _world.Stripe.Clear();
        _world.Update(5, i => i with { StripeInvoiceId = null });

        Assert.Equal(ReconcileReport.Clean, _world.Compare(withStripe: false).Status);
        Assert.Equal(40, _world.Compare(withStripe: true).DriftCount);
    }

    [Fact]
    public void Does_refuse_an_invoice_listed_twice()
    {
        _world.Invoices.Add(_world.Invoices[0]);

        Assert.Throws<ArgumentException>(() => _world.Compare());
    }
}

public class When_a_value_arrives_as_decimal_major_units
{
    readonly ReconcileWorld _world = new();

    [Fact]
    public void Does_report_a_sub_minor_unit_difference_as_acceptable_not_drift()
    {
        // Invoice 0 is 1000 USD cents; the connector reports 10.004 dollars = 1000.4 cents.
        _world.Ledger[_world.Id(0)] = LedgerFact.FromMajorUnits(_world.Id(0), "USD", 10.004m);
        _world.Stripe[_world.Id(2)] = _world.Stripe[_world.Id(2)] with { TotalMinor = 1074 - 0.99m };

        var report = _world.Compare();

        Assert.Equal(ReconcileReport.Clean, report.Status);
        Assert.Equal([("ledger", _world.Id(0), 0.4m), ("stripe", _world.Id(2), -0.99m)],
            report.Acceptable.Select(a => (a.Source, a.InvoiceId, a.Difference)));
    }

    [Fact]
    public void Does_report_a_whole_minor_unit_difference_as_drift()
    {
        _world.Ledger[_world.Id(0)] = LedgerFact.FromMajorUnits(_world.Id(0), "USD", 10.01m);

        Assert.Equal(DriftKinds.LedgerAmountMismatch, Assert.Single(_world.Compare().Drifts).Kind);
    }

    [Fact]
    public void Does_use_no_decimals_for_zero_decimal_currencies()
    {
        // Invoice 1 is 1037 JPY: 1037 major units are 1037 minor units.
        _world.Ledger[_world.Id(1)] = LedgerFact.FromMajorUnits(_world.Id(1), "JPY", 1037m);

        Assert.Equal(ReconcileReport.Clean, _world.Compare().Status);
    }
}

public class When_statuses_are_mapped_to_stripe
{
    [Theory]
    [InlineData("open", "open", true)]
    [InlineData("paid", "paid", true)]
    [InlineData("uncollectible", "uncollectible", true)]
    [InlineData("void", "void", true)]
    [InlineData("open", "draft", false)]
    [InlineData("paid", "open", false)]
    [InlineData("pending", "pending", false)]
    public void Does_match_only_the_same_finalized_status(string ours, string stripe, bool matches) =>
        Assert.Equal(matches, StripeStatuses.Matches(ours, stripe));
}
