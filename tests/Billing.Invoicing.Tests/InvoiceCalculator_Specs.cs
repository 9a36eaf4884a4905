using static Billing.Invoicing.Tests.Plans;

namespace Billing.Invoicing.Tests;

public class When_an_account_used_nothing
{
    [Fact]
    public void Does_bill_the_base_fee_only()
    {
        var plan = With("EUR", 2900, PerUnit("calls", 0.01m), Graduated("gb", ThreeTiers));
        var invoice = InvoiceCalculator.Compute(plan, 19m, Usage(("calls", 0m)), []);

        var line = Assert.Single(invoice.Lines);
        Assert.Equal(InvoiceLineKinds.BaseFee, line.Kind);
        Assert.Equal(2900, line.AmountMinor);
        Assert.Equal(29.00m, line.UnitPrice);
        Assert.Equal(2900, invoice.SubtotalMinor);
        Assert.Equal(551, invoice.TaxMinor);      // 29.00 × 19 % = 5.51
        Assert.Equal(3451, invoice.TotalMinor);
        Assert.False(invoice.IsEmpty);
    }

    [Fact]
    public void Does_report_an_empty_invoice_without_base_fee()
    {
        var invoice = InvoiceCalculator.Compute(With("EUR", 0, PerUnit("calls", 0.01m)), 19m, Usage(), []);
        Assert.True(invoice.IsEmpty);
        Assert.Empty(invoice.Lines);
        Assert.Equal(0, invoice.TotalMinor);
    }

    [Fact]
    public void Does_treat_usage_priced_at_zero_as_nothing_to_bill()
    {
        // First 100 calls free: 50 calls → a usage line of 0.00, still nothing to bill.
        IReadOnlyList<PriceTier> tiers = [new() { UpTo = 100, UnitPrice = 0m }, new() { UnitPrice = 0.01m }];
        var invoice = InvoiceCalculator.Compute(With("EUR", 0, Graduated("calls", tiers)), 0m, Usage(("calls", 50m)), []);
        Assert.True(invoice.IsEmpty);
        Assert.Equal(0, invoice.TotalMinor);
    }
}

public class When_an_invoice_has_base_fee_usage_and_charges
{
    private static readonly PlanDefinition Plan = With("EUR", 4900,
        Graduated("calls", ThreeTiers), PerUnit("impressions", 0.0005m), Package("sms", 100, 2.50m));

    private static ComputedInvoice Compute(decimal tax = 19m) => InvoiceCalculator.Compute(Plan, tax,
        Usage(("calls", 1001m), ("impressions", 1001m), ("sms", 0m), ("unknown_metric", 3m)),
        [new OneOffCharge("Managed migration job", 2m, 150.125m), new OneOffCharge("Goodwill credit", 1m, -10m)]);

    [Fact]
    public void Does_list_lines_in_order_with_numbers_from_one()
    {
        var lines = Compute().Lines;
        Assert.Equal(Enumerable.Range(1, lines.Count), lines.Select(l => l.LineNo));
        Assert.Equal(
            [InvoiceLineKinds.BaseFee, InvoiceLineKinds.Usage, InvoiceLineKinds.Tier, InvoiceLineKinds.Tier, InvoiceLineKinds.Tier,
             InvoiceLineKinds.Usage, InvoiceLineKinds.Charge, InvoiceLineKinds.Charge],
            lines.Select(l => l.Kind));
        Assert.Equal([null, "calls", "calls", "calls", "calls", "impressions", null, null], lines.Select(l => l.Component));
        Assert.Equal([null, null, 2, 2, 2, null, null, null], lines.Select(l => l.ParentLineNo));
    }

    [Fact]
    public void Does_add_billable_lines_only_and_tax_the_subtotal()
    {
        var invoice = Compute();
        // 49.00 base + 105.08 calls + 0.50 impressions (0.5005) + 300.25 job (2 × 150.125) − 10.00 credit = 444.83
        // Tier lines: 1,000 × 0.10; 1 × 0.08; tier 2's flat fee 5.00 (explaining 105.08, not added again).
        Assert.Equal([4900L, 10508L, 10000L, 8L, 500L, 50L, 30025L, -1000L], invoice.Lines.Select(l => l.AmountMinor));
        Assert.Equal(44483, invoice.SubtotalMinor);
        Assert.Equal(8452, invoice.TaxMinor);     // 444.83 × 19 % = 84.5177 → 84.52
        Assert.Equal(52935, invoice.TotalMinor);
        Assert.Equal("EUR 529.35", MoneyText.Format(invoice.TotalMinor, invoice.Currency));
    }

    [Fact]
    public void Does_ignore_but_report_usage_of_metrics_the_plan_does_not_price() =>
        Assert.Equal(["unknown_metric"], Compute().UnknownMetrics);

    [Fact]
    public void Does_apply_no_tax_at_a_zero_rate()
    {
        var invoice = Compute(tax: 0m);
        Assert.Equal(0, invoice.TaxMinor);
        Assert.Equal(invoice.SubtotalMinor, invoice.TotalMinor);
    }
}

public class When_the_subtotal_needs_tax_rounding
{
    [Theory]
    [InlineData(1005, "19", 191, 1196)]  // 10.05 × 19 % = 1.9095 → 1.91
    [InlineData(1005, "10", 101, 1106)]  // 1.005 → 1.01
    [InlineData(1000, "8.1", 81, 1081)]  // 0.81 exactly
    [InlineData(999, "7.7", 77, 1076)]   // 0.76923 → 0.77
    public void Does_round_tax_half_away_from_zero(long baseFee, string rate, long expectedTax, long expectedTotal)
    {
        var invoice = InvoiceCalculator.Compute(With("EUR", baseFee), decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture), Usage(), []);
        Assert.Equal(expectedTax, invoice.TaxMinor);
        Assert.Equal(expectedTotal, invoice.TotalMinor);
    }
}

public class When_the_currency_has_no_minor_unit
{
    [Fact]
    public void Does_round_to_whole_yen()
    {
        // JPY: base 1,000; 3 × 0.5 = 1.5 → 2; package of 10 at 300, 11 units → 600. Subtotal 1,602.
        var plan = With("JPY", 1000, PerUnit("calls", 0.5m), Package("exports", 10, 300m));
        var invoice = InvoiceCalculator.Compute(plan, 10m, Usage(("calls", 3m), ("exports", 11m)), []);

        Assert.Equal([1000L, 2L, 600L, 600L], invoice.Lines.Select(l => l.AmountMinor));
        var packages = invoice.Lines[3];
        Assert.Equal((InvoiceLineKinds.Tier, "2 packages of 10 × 300", 2m, 300m, 3), (packages.Kind, packages.Description, packages.Quantity, packages.UnitPrice, packages.ParentLineNo));
        Assert.Equal(1000m, invoice.Lines[0].UnitPrice);
        Assert.Equal(1602, invoice.SubtotalMinor);
        Assert.Equal(160, invoice.TaxMinor);      // 160.2 → 160
        Assert.Equal(1762, invoice.TotalMinor);
        Assert.Equal("JPY 1,762", MoneyText.Format(invoice.TotalMinor, "JPY"));
    }
}

public class When_the_currency_has_three_decimals
{
    [Fact]
    public void Does_round_to_the_fils()
    {
        // BHD: base 5.000; 3 × 0.0125 = 0.0375 → 0.038; charge 1 × 0.0005 = 0.0005 → 0.001. Subtotal 5.039.
        var plan = With("BHD", 5000, PerUnit("calls", 0.0125m));
        var invoice = InvoiceCalculator.Compute(plan, 5m, Usage(("calls", 3m)), [new OneOffCharge("Setup", 1m, 0.0005m)]);

        Assert.Equal([5000L, 38L, 1L], invoice.Lines.Select(l => l.AmountMinor));
        Assert.Equal(5.000m, invoice.Lines[0].UnitPrice);
        Assert.Equal(5039, invoice.SubtotalMinor);
        Assert.Equal(252, invoice.TaxMinor);      // 5.039 × 5 % = 0.25195 → 0.252
        Assert.Equal(5291, invoice.TotalMinor);
        Assert.Equal("BHD 5.291", MoneyText.Format(invoice.TotalMinor, "BHD"));
    }
}

public class When_inputs_are_invalid
{
    private static readonly PlanDefinition Plan = With("EUR", 100, PerUnit("calls", 0.01m));

    private static DomainValidationException Fails(Action compute) => Assert.Throws<DomainValidationException>(compute);

    [Fact]
    public void Does_reject_a_negative_quantity_naming_the_metric() =>
        Assert.Equal("usage[calls]", Fails(() => InvoiceCalculator.Compute(Plan, 0m, Usage(("calls", -1m)), [])).Field);

    [Fact]
    public void Does_reject_a_negative_quantity_of_an_unknown_metric_too() =>
        Assert.Equal("usage[other]", Fails(() => InvoiceCalculator.Compute(Plan, 0m, Usage(("other", -0.5m)), [])).Field);

    [Theory]
    [InlineData("-0.0001")]
    [InlineData("100")]
    [InlineData("250")]
    public void Does_reject_a_tax_rate_outside_0_to_100(string rate) =>
        Assert.Equal("tax_rate", Fails(() => InvoiceCalculator.Compute(Plan,
            decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture), Usage(), [])).Field);

    [Fact]
    public void Does_reject_a_charge_without_quantity_or_description()
    {
        var error = Fails(() => InvoiceCalculator.Compute(Plan, 0m, Usage(),
            [new OneOffCharge("ok", 1m, 1m), new OneOffCharge(" ", 0m, 0.0000000000001m)]));
        Assert.Equal(["charges[1].description", "charges[1].quantity", "charges[1].unit_price"], error.Errors.Select(e => e.Field));
    }

    [Fact]
    public void Does_reject_an_invalid_plan_before_pricing() =>
        Assert.Equal("currency", Fails(() => InvoiceCalculator.Compute(Plan with { Currency = "eur" }, 0m, Usage(), [])).Field);

    [Fact]
    public void Does_reject_an_amount_too_large_for_64_bits() =>
        // 1e17 calls × 1,000.00 = 1e20 EUR = 1e22 cents
        Assert.Equal("usage[calls]", Fails(() => InvoiceCalculator.Compute(With("EUR", 0, PerUnit("calls", 1000m)), 0m,
            Usage(("calls", 100_000_000_000_000_000m)), [])).Field);

    [Fact]
    public void Does_reject_a_subtotal_that_overflows() =>
        // Two lines of 5e18 cents each fit a long; their sum does not.
        Assert.Equal("subtotal", Fails(() => InvoiceCalculator.Compute(With("EUR", 0), 0m, Usage(),
            [new OneOffCharge("a", 1m, 50_000_000_000_000_000m), new OneOffCharge("b", 1m, 50_000_000_000_000_000m)])).Field);
}
