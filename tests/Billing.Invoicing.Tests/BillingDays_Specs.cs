using static Billing.Invoicing.Tests.Plans;

namespace Billing.Invoicing.Tests;

public class When_an_account_is_billed_for_part_of_a_month
{
    private static readonly BillingPeriod November = BillingPeriod.Parse("2026-11");
    private static readonly BillingPeriod January = BillingPeriod.Parse("2027-01");

    // The rule written out independently: base × days / days in month, rounded half away from zero.
    private static long Rule(long baseFee, int days, int inMonth) => (long)Math.Round(baseFee * (decimal)days / inMonth, 0, MidpointRounding.AwayFromZero);

    [Theory]
    [InlineData(4999L, 19, 30)]
    [InlineData(100L, 15, 30)]     // exactly half the fee
    [InlineData(1L, 15, 30)]       // 0.5 minor units: away from zero
    [InlineData(1L, 14, 30)]       // 0.47 → 0
    [InlineData(3001L, 20, 31)]    // JPY has no minor unit: the fee is in yen
    [InlineData(999_999_999_999L, 1, 28)]
    [InlineData(4900L, 30, 30)]
    public void Prorates_the_base_fee_by_days_to_the_exact_minor_unit(long baseFee, int days, int inMonth) =>
        Assert.Equal(Rule(baseFee, days, inMonth), BillingDays.Prorate(baseFee, days, inMonth));

    [Fact]
    public void Bills_only_a_month_with_a_billed_day()
    {
        Assert.True(BillingDays.IsBillable(November, new DateOnly(2026, 11, 30), null));
        Assert.False(BillingDays.IsBillable(November, new DateOnly(2026, 12, 1), null));
        Assert.True(BillingDays.IsBillable(November, new DateOnly(2026, 1, 1), new DateOnly(2026, 11, 1)));
        Assert.False(BillingDays.IsBillable(November, new DateOnly(2026, 1, 1), new DateOnly(2026, 10, 31)));
    }

    [Fact]
    public void Splits_the_billed_days_by_the_plan_in_force()
    {
        var timeline = new List<(DateOnly, string)> { (new(2026, 10, 3), "starter"), (new(2026, 11, 12), "growth"), (new(2026, 12, 1), "scale") };
        var spans = BillingDays.Spans(November, new DateOnly(2026, 10, 3), new DateOnly(2026, 11, 25), timeline);
        Assert.Equal([(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 11), "starter"), (new DateOnly(2026, 11, 12), new DateOnly(2026, 11, 25), "growth")], spans);
        Assert.Empty(BillingDays.Spans(November, new DateOnly(2026, 12, 2), null, timeline));
        Assert.Equal("scale", BillingDays.PlanOn(timeline, new DateOnly(2027, 1, 1)));
        Assert.Equal("starter", BillingDays.PlanOn(timeline, new DateOnly(2026, 1, 1)));
    }

    [Fact]
    public void Names_the_days_on_the_base_fee_line()
    {
        var plan = With("EUR", 4999, PerUnit("calls", 0.01m)) with { Name = "Growth" };
        var invoice = InvoiceCalculator.Compute(November, [new PlanSpan(plan, new(2026, 11, 12), new(2026, 11, 30), Usage(("calls", 1000m)))], 19m, []);

        var fee = invoice.Lines[0];
        Assert.Equal(InvoiceLineKinds.BaseFee, fee.Kind);
        Assert.Equal("Growth base fee, 12–30 Nov 2026 (19 of 30 days)", fee.Description);
        Assert.Equal(Rule(4999, 19, 30), fee.AmountMinor);
        // Usage is billed as recorded, not prorated.
        Assert.Equal(1000, invoice.Lines[1].AmountMinor);
        var subtotal = Rule(4999, 19, 30) + 1000;
        Assert.Equal(subtotal + (long)Math.Round(subtotal * 0.19m, MidpointRounding.AwayFromZero), invoice.TotalMinor);
    }

    [Fact]
    public void Bills_a_whole_month_as_before()
    {
        var plan = With("EUR", 4999, PerUnit("calls", 0.01m));
        var overTime = InvoiceCalculator.Compute(November, [new PlanSpan(plan, November.FirstDay, November.LastDay, Usage(("calls", 7m)))], 19m, []);
        var whole = InvoiceCalculator.Compute(plan, 19m, Usage(("calls", 7m)), []);
        Assert.Equal(whole.Lines, overTime.Lines);
        Assert.Equal((whole.SubtotalMinor, whole.TaxMinor, whole.TotalMinor), (overTime.SubtotalMinor, overTime.TaxMinor, overTime.TotalMinor));
    }

    [Theory]
    [InlineData("EUR", 4900L, 5000L)]
    [InlineData("JPY", 3001L, 9999L)]
    public void Prorates_each_plan_of_a_month_with_a_plan_change_and_prices_usage_by_the_plan_then_in_force(string currency, long firstFee, long secondFee)
    {
        var starter = With(currency, firstFee, PerUnit("calls", 0.5m), Graduated("gb", ThreeTiers)) with { Name = "Starter", Code = "starter" };
        var growth = With(currency, secondFee, PerUnit("calls", 0.25m), Graduated("gb", ThreeTiers)) with { Name = "Growth", Code = "growth" };
        var invoice = InvoiceCalculator.Compute(January,
        [
            new PlanSpan(starter, new(2027, 1, 1), new(2027, 1, 11), Usage(("calls", 101m), ("gb", 900m))),
            new PlanSpan(growth, new(2027, 1, 12), new(2027, 1, 31), Usage(("calls", 33m), ("gb", 900m))),
        ], 10m, []);

        var factor = currency == "JPY" ? 1m : 100m;
        long R(decimal v) => (long)Math.Round(v, 0, MidpointRounding.AwayFromZero);
        var gb900 = R(900 * 0.10m * factor);   // 900 units in the first tier of each plan: tiers restart with the plan
        var expected = new[]
        {
            ($"Starter base fee, 1–11 Jan 2027 (11 of 31 days)", Rule(firstFee, 11, 31)),
            ("calls (Starter, 1–11 Jan 2027)", R(101 * 0.5m * factor)),
            ("gb (Starter, 1–11 Jan 2027)", gb900),
            ($"Growth base fee, 12–31 Jan 2027 (20 of 31 days)", Rule(secondFee, 20, 31)),
            ("calls (Growth, 12–31 Jan 2027)", R(33 * 0.25m * factor)),
            ("gb (Growth, 12–31 Jan 2027)", gb900),
        };
        Assert.Equal(expected, invoice.BillableLines.Select(l => (l.Description, l.AmountMinor)));
        var subtotal = expected.Sum(e => e.Item2);
        Assert.Equal(subtotal, invoice.SubtotalMinor);
        Assert.Equal(subtotal + R(subtotal * 0.10m), invoice.TotalMinor);
        Assert.Equal(currency, invoice.Currency);
    }

    [Fact]
    public void Refuses_plans_in_two_currencies_and_spans_outside_the_month()
    {
        var eur = With("EUR", 100);
        var usd = With("USD", 100);
        var e = Assert.Throws<DomainValidationException>(() => InvoiceCalculator.Compute(November,
            [new PlanSpan(eur, new(2026, 11, 1), new(2026, 11, 5), Usage()), new PlanSpan(usd, new(2026, 11, 6), new(2026, 11, 30), Usage())], 0m, []));
        Assert.Contains(e.Errors, x => x.Field == "plans");
        e = Assert.Throws<DomainValidationException>(() => InvoiceCalculator.Compute(November,
            [new PlanSpan(eur, new(2026, 10, 31), new(2026, 11, 5), Usage())], 0m, []));
        Assert.Contains(e.Errors, x => x.Field == "spans[0]");
    }
}

public class When_usage_of_an_invoiced_month_arrives_late
{
    [Fact]
    public void Does_bill_the_full_quantitys_price_minus_what_was_invoiced_on_its_own_line()
    {
        var october = BillingPeriod.Parse("2026-10");
        var november = BillingPeriod.Parse("2026-11");
        var plan = With("EUR", 0, Graduated("calls", ThreeTiers));
        var invoice = InvoiceCalculator.Compute(november, [new PlanSpan(plan, november.FirstDay, november.LastDay, Usage())], 0m, [],
            [new LateUsage(october, plan, "calls", 900m, 300m)]);

        // Tiers written out: 1–1,000 at 0.10; 1,001–10,000 at 0.08 plus 5.00 once a unit falls there.
        static decimal Price(decimal q) => Math.Min(q, 1000) * 0.10m + (q > 1000 ? (Math.Min(q, 10000) - 1000) * 0.08m + 5m : 0);
        var line = Assert.Single(invoice.BillableLines);
        Assert.Equal("calls for Oct 2026, received after invoicing", line.Description);
        Assert.Equal(300m, line.Quantity);
        Assert.Equal((long)((Price(1200) - Price(900)) * 100), line.AmountMinor);
        Assert.Equal(line.AmountMinor, invoice.TotalMinor);
        Assert.False(invoice.IsEmpty);
    }
}
