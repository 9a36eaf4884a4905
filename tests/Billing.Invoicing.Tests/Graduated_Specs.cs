namespace Billing.Invoicing.Tests;

// Tiers: 1–1,000 @ 0.10; 1,001–10,000 @ 0.08 + 5.00 flat; 10,001+ @ 0.05 (EUR).
public class When_pricing_graduated_tiers_around_their_boundaries
{
    [Theory]
    [InlineData(1, 10)]            // 1 × 0.10 = 0.10
    [InlineData(999, 9990)]        // 999 × 0.10 = 99.90
    [InlineData(1000, 10000)]      // 1,000 × 0.10 = 100.00 (up_to is inclusive: no flat fee yet)
    [InlineData(1001, 10508)]      // 100.00 + 1 × 0.08 + 5.00 = 105.08
    [InlineData(9999, 82492)]      // 100.00 + 8,999 × 0.08 (719.92) + 5.00 = 824.92
    [InlineData(10000, 82500)]     // 100.00 + 9,000 × 0.08 (720.00) + 5.00 = 825.00
    [InlineData(10001, 82505)]     // 825.00 + 1 × 0.05 = 825.05
    [InlineData(1000.5, 10504)]    // 100.00 + 0.5 × 0.08 + 5.00 = 105.04 (fractional units)
    public void Does_price_each_tier_its_own_units(decimal quantity, long expectedMinor) =>
        Assert.Equal(expectedMinor, Plans.Price(Plans.Graduated("calls", Plans.ThreeTiers), quantity).UsageAmount());

    [Fact]
    public void Does_explain_the_usage_line_with_one_line_per_tier_reached()
    {
        var invoice = Plans.Price(Plans.Graduated("calls", Plans.ThreeTiers), 10001);

        var usage = Assert.Single(invoice.Lines, l => l.Kind == InvoiceLineKinds.Usage);
        var tiers = invoice.Lines.Where(l => l.Kind == InvoiceLineKinds.Tier).ToArray();
        Assert.Equal(["Tier 1 (1–1,000)", "Tier 2 (1,001–10,000)", "Tier 2 (1,001–10,000) flat fee", "Tier 3 (10,001 and above)"],
            tiers.Select(t => t.Description));
        Assert.Equal([1000m, 9000m, 1m, 1m], tiers.Select(t => t.Quantity));
        Assert.Equal([0.10m, 0.08m, 5.00m, 0.05m], tiers.Select(t => t.UnitPrice));
        Assert.Equal([10000L, 72000L, 500L, 5L], tiers.Select(t => t.AmountMinor)); // 100.00; 720.00; the fee 5.00 on its own; 0.05
        Assert.All(tiers, t => Assert.Equal(usage.LineNo, t.ParentLineNo));
        // The tier lines explain the usage line: counted once in the subtotal.
        Assert.Equal(82505, invoice.SubtotalMinor);
    }

    [Fact]
    public void Does_show_the_effective_unit_price_on_the_usage_line()
    {
        // 105.08 / 1,001 = 0.104975024975024… → 0.104975024975 (12 decimals)
        var usage = Assert.Single(Plans.Price(Plans.Graduated("calls", Plans.ThreeTiers), 1001).Lines, l => l.Kind == InvoiceLineKinds.Usage);
        Assert.Equal(0.104975024975m, usage.UnitPrice);
        Assert.Equal(1001m, usage.Quantity);
    }

    [Fact]
    public void Does_round_the_component_once_not_each_tier()
    {
        // Tiers 1–1 @ 0.005, 2+ @ 0.005; 2 units: exact 0.010 → 0.01, although each tier line shows 0.005 → 0.01.
        IReadOnlyList<PriceTier> tiers = [new() { UpTo = 1, UnitPrice = 0.005m }, new() { UnitPrice = 0.005m }];
        var invoice = Plans.Price(Plans.Graduated("sms", tiers), 2);

        Assert.Equal(1, invoice.SubtotalMinor);
        Assert.Equal([1L, 1L], invoice.Lines.Where(l => l.Kind == InvoiceLineKinds.Tier).Select(l => l.AmountMinor));
    }

    [Fact]
    public void Does_charge_a_first_tier_flat_fee_only_once_a_unit_is_used()
    {
        IReadOnlyList<PriceTier> tiers = [new() { UpTo = 10, FlatFee = 20m }, new() { UnitPrice = 1m }];
        Assert.Equal(2000, Plans.Price(Plans.Graduated("seats", tiers), 1).UsageAmount());   // 20.00 flat
        Assert.Equal(2000, Plans.Price(Plans.Graduated("seats", tiers), 10).UsageAmount());  // still 20.00
        Assert.Equal(2100, Plans.Price(Plans.Graduated("seats", tiers), 11).UsageAmount());  // 20.00 + 1 × 1.00
        Assert.Empty(Plans.Price(Plans.Graduated("seats", tiers), 0).Lines);                 // nothing used, nothing owed
    }

    [Fact]
    public void Does_show_a_fee_only_tier_as_its_units_at_zero_and_its_fee()
    {
        IReadOnlyList<PriceTier> tiers = [new() { UpTo = 10, FlatFee = 20m }, new() { UnitPrice = 1m }];
        var lines = Plans.Price(Plans.Graduated("seats", tiers), 11).Lines.Where(l => l.Kind == InvoiceLineKinds.Tier).ToArray();
        Assert.Equal(
            [("Tier 1 (1–10)", 10m, 0m, 0L), ("Tier 1 (1–10) flat fee", 1m, 20m, 2000L), ("Tier 2 (11 and above)", 1m, 1m, 100L)],
            lines.Select(l => (l.Description, l.Quantity, l.UnitPrice, l.AmountMinor)));
        // Every explaining line reads quantity × unit price = amount.
        Assert.All(lines, l => Assert.Equal(l.AmountMinor, (long)(l.Quantity * l.UnitPrice * 100m)));
    }

    [Fact]
    public void Does_label_fractional_bounds_without_inventing_a_first_unit()
    {
        IReadOnlyList<PriceTier> tiers = [new() { UpTo = 0.5m, UnitPrice = 1m }, new() { UnitPrice = 2m }];
        var labels = Plans.Price(Plans.Graduated("gb", tiers), 2).Lines.Where(l => l.Kind == InvoiceLineKinds.Tier).Select(l => l.Description);
        Assert.Equal(["Tier 1 (over 0 up to 0.5)", "Tier 2 (over 0.5)"], labels);
    }
}
