using Billing.Invoicing.CreditNotes;

namespace Billing.Invoicing.Tests;

public class When_credit_notes_are_computed
{
    // 1005 net + 19 % tax: 1005 × 0.19 = 190.95 → 191; total 1196.
    private static InvoiceCreditState Eur(long creditedNet = 0, long creditedTax = 0) =>
        new("INV-2026-000001", "EUR", 19m, 1005, 191, 1196, creditedNet, creditedTax);

    [Fact]
    public void Does_price_lines_net_and_add_the_invoice_tax_rate_rounded_half_away_from_zero()
    {
        // 3 × 0.125 = 0.375 → 38 cents; 2 × 1.00 = 200; subtotal 238; tax 238 × 0.19 = 45.22 → 45.
        var note = CreditNoteCalculator.FromLines(Eur(), [("a", 3m, 0.125m), ("b", 2m, 1m)]);
        Assert.Equal(new[] { 38L, 200L }, note.Lines.Select(l => l.AmountMinor));
        Assert.Equal((238L, 45L, 283L), (note.SubtotalMinor, note.TaxMinor, note.TotalMinor));
    }

    [Fact]
    public void Does_give_an_amount_the_invoice_tax_share()
    {
        // 500 × 191 / 1196 = 79.85 → 80 tax, 420 net.
        var note = CreditNoteCalculator.FromAmount(Eur(), 500, "credit");
        Assert.Equal((420L, 80L, 500L), (note.SubtotalMinor, note.TaxMinor, note.TotalMinor));
        Assert.Equal(420L, Assert.Single(note.Lines).AmountMinor);
    }

    [Fact]
    public void Does_give_back_exactly_the_invoiced_tax_when_partial_amounts_add_up_to_the_invoice()
    {
        var state = Eur();
        long net = 0, tax = 0;
        foreach (var amount in new long[] { 333, 333, 333, 197 })
        {
            var note = CreditNoteCalculator.FromAmount(state with { CreditedSubtotalMinor = net, CreditedTaxMinor = tax }, amount, "credit");
            net += note.SubtotalMinor;
            tax += note.TaxMinor;
        }
        Assert.Equal((1005L, 191L), (net, tax));
    }

    [Fact]
    public void Does_refuse_more_than_is_left_and_say_how_much_is_left()
    {
        var e = Assert.Throws<CreditBeyondInvoiceException>(() => CreditNoteCalculator.FromAmount(Eur(500, 95), 602, "credit"));
        Assert.Equal(601, e.RemainingMinor);
        Assert.Contains("EUR 6.01", e.Message);
        Assert.Throws<CreditBeyondInvoiceException>(() => CreditNoteCalculator.FromLines(Eur(500, 95), [("x", 1m, 5.06m)]));
    }

    [Fact]
    public void Does_never_give_back_more_tax_than_the_invoice_has_left()
    {
        // Net left 5, tax left 0: lines of 5 cents carry no tax any more.
        var note = CreditNoteCalculator.FromLines(Eur(1000, 191), [("x", 1m, 0.05m)]);
        Assert.Equal((5L, 0L), (note.SubtotalMinor, note.TaxMinor));
    }

    [Fact]
    public void Does_price_a_zero_decimal_currency_in_whole_units()
    {
        var jpy = new InvoiceCreditState("INV-2026-000002", "JPY", 10m, 3005, 301, 3306, 0, 0);
        // 1001 × 0.05 = 50.05 → 50 yen; tax 5.
        var note = CreditNoteCalculator.FromLines(jpy, [("API calls", 1001m, 0.05m)]);
        Assert.Equal((50L, 5L, 55L), (note.SubtotalMinor, note.TaxMinor, note.TotalMinor));
    }

    [Fact]
    public void Does_name_the_field_of_a_line_that_cannot_be_priced()
    {
        var e = Assert.Throws<DomainValidationException>(() => CreditNoteCalculator.FromLines(Eur(), [("", 1m, 1m), ("x", 0.001m, 0.001m)]));
        Assert.Contains(e.Errors, x => x.Field == "lines[0].description");
        Assert.Contains(e.Errors, x => x.Field == "lines[1]");
    }
}
