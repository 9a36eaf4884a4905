namespace Billing.Invoicing.Tests;

// Same tiers as the graduated specs: up to 1,000 @ 0.10; up to 10,000 @ 0.08 + 5.00 flat; above @ 0.05 (EUR).
public class When_pricing_volume_tiers_around_their_boundaries
{
    [Theory]
    [InlineData(1, 10)]            // 1 × 0.10
    [InlineData(999, 9990)]        // 999 × 0.10 = 99.90
    [InlineData(1000, 10000)]      // 1,000 × 0.10 = 100.00
    [InlineData(1001, 8508)]       // 1,001 × 0.08 = 80.08 + 5.00 = 85.08 (cheaper than 1,000: volume pricing)
    [InlineData(9999, 80492)]      // 9,999 × 0.08 = 799.92 + 5.00 = 804.92
    [InlineData(10000, 80500)]     // 800.00 + 5.00 = 805.00
    [InlineData(10001, 50005)]     // 10,001 × 0.05 = 500.05, no flat fee in the last tier
    public void Does_price_all_units_at_the_tier_reached(decimal quantity, long expectedMinor) =>
        Assert.Equal(expectedMinor, Plans.Price(Plans.Volume("calls", Plans.ThreeTiers), quantity).UsageAmount());

    [Fact]
    public void Does_show_the_tier_reached_and_its_flat_fee_as_its_own_line()
    {
        var invoice = Plans.Price(Plans.Volume("calls", Plans.ThreeTiers), 1001);

        var usage = Assert.Single(invoice.Lines, l => l.Kind == InvoiceLineKinds.Usage);
        var tiers = invoice.Lines.Where(l => l.Kind == InvoiceLineKinds.Tier).ToArray();
        Assert.Equal(["Tier 2 (1,001–10,000)", "Tier 2 (1,001–10,000) flat fee"], tiers.Select(t => t.Description));
        Assert.Equal([1001m, 1m], tiers.Select(t => t.Quantity));
        Assert.Equal([0.08m, 5.00m], tiers.Select(t => t.UnitPrice));
        Assert.Equal([8008L, 500L], tiers.Select(t => t.AmountMinor)); // 1,001 × 0.08 = 80.08; fee 5.00
        Assert.All(tiers, t => Assert.Equal(usage.LineNo, t.ParentLineNo));
        Assert.Equal(8508, usage.AmountMinor);
        Assert.Equal(8508, invoice.SubtotalMinor);
    }

    [Fact]
    public void Does_charge_nothing_for_zero_usage_even_with_a_first_tier_flat_fee()
    {
        IReadOnlyList<PriceTier> tiers = [new() { UpTo = 5, FlatFee = 9m }, new() { UnitPrice = 1m }];
        var invoice = Plans.Price(Plans.Volume("seats", tiers), 0);
        Assert.Empty(invoice.Lines);
        Assert.True(invoice.IsEmpty);
        Assert.Equal(900, Plans.Price(Plans.Volume("seats", tiers), 5).UsageAmount()); // flat 9.00
    }
}
