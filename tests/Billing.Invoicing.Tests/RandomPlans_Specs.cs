namespace Billing.Invoicing.Tests;

/// <summary>Random plans and usage (fixed seed) priced by the calculator and by a naive re-computation written
/// differently: graduated tiers unit by unit, packages by counting, rounding with Math.Round on decimal.
/// Quantities stay small so that decimal arithmetic is exact here.</summary>
public class When_random_plans_are_priced
{
    private static readonly string[] CurrencyCodes = ["EUR", "JPY", "BHD", "USD"];
    private static readonly string[] Models = [PricingModel.PerUnit, PricingModel.Graduated, PricingModel.Volume, PricingModel.Package];

    [Fact]
    public void Does_match_a_unit_by_unit_recomputation()
    {
        var random = new Random(20261031);
        var checkedCount = 0;
        for (var run = 0; run < 400; run++)
        {
            var currency = CurrencyCodes[random.Next(CurrencyCodes.Length)];
            var plan = Plans.With(currency, random.Next(3) == 0 ? 0 : random.Next(1, 100_000),
                Enumerable.Range(0, random.Next(1, 4)).Select(i => RandomComponent(random, $"m{i}")).ToArray());
            var usage = plan.Components.ToDictionary(c => c.Metric!, _ => (decimal)random.Next(0, 80));
            var charges = Enumerable.Range(0, random.Next(0, 3))
                .Select(i => new OneOffCharge($"c{i}", random.Next(1, 4), Price(random, 4))).ToArray();
            var tax = random.Next(0, 2500) / 100m;

            var invoice = InvoiceCalculator.Compute(plan, tax, usage, charges);

            var exponent = Currencies.Get(currency).Exponent;
            var subtotal = plan.BaseFeeMinor
                + plan.Components.Sum(c => Round(Naive(c, (int)usage[c.Metric!]), exponent))
                + charges.Sum(c => Round(c.Quantity * c.UnitPrice, exponent));
            var expectedTax = (long)Math.Round(subtotal * tax / 100m, MidpointRounding.AwayFromZero);
            Assert.Equal(subtotal, invoice.SubtotalMinor);
            Assert.Equal(expectedTax, invoice.TaxMinor);
            Assert.Equal(subtotal + expectedTax, invoice.TotalMinor);
            Assert.Equal(invoice.Lines.Where(l => l.Kind != InvoiceLineKinds.Tier).Sum(l => l.AmountMinor), invoice.SubtotalMinor);
            checkedCount++;
        }
        Assert.Equal(400, checkedCount);
    }

    private static long Round(decimal major, int exponent) =>
        (long)Math.Round(major * (exponent switch { 0 => 1m, 2 => 100m, 3 => 1000m, _ => throw new ArgumentOutOfRangeException(nameof(exponent)) }),
            MidpointRounding.AwayFromZero);

    private static decimal Naive(MeteredComponent c, int quantity)
    {
        if (quantity == 0) return 0m;
        switch (c.Model)
        {
            case PricingModel.PerUnit:
                return quantity * c.UnitPrice!.Value;
            case PricingModel.Package:
                var packages = 0;
                while (packages * c.PackageSize!.Value < quantity) packages++;
                return packages * c.PackagePrice!.Value;
            case PricingModel.Volume:
                var reached = c.Tiers!.First(t => t.UpTo is null || quantity <= t.UpTo);
                return quantity * (reached.UnitPrice ?? 0) + (reached.FlatFee ?? 0);
            default:
                var total = 0m;
                var tiersUsed = new HashSet<PriceTier>();
                for (var unit = 1; unit <= quantity; unit++)
                {
                    var tier = c.Tiers!.First(t => t.UpTo is null || unit <= t.UpTo);
                    total += tier.UnitPrice ?? 0;
                    tiersUsed.Add(tier);
                }
                return total + tiersUsed.Sum(t => t.FlatFee ?? 0);
        }
    }

    private static MeteredComponent RandomComponent(Random random, string metric)
    {
        var model = Models[random.Next(Models.Length)];
        return model switch
        {
            PricingModel.PerUnit => Plans.PerUnit(metric, Price(random, 6)),
            PricingModel.Package => Plans.Package(metric, random.Next(1, 30), Price(random, 3)),
            _ => new MeteredComponent { Metric = metric, Model = model, Tiers = RandomTiers(random) },
        };
    }

    private static IReadOnlyList<PriceTier> RandomTiers(Random random)
    {
        var tiers = new List<PriceTier>();
        var bound = 0;
        var count = random.Next(1, 5);
        for (var i = 0; i < count; i++)
        {
            var last = i == count - 1;
            bound += random.Next(1, 30);
            tiers.Add(new PriceTier
            {
                UpTo = last ? null : bound,
                UnitPrice = Price(random, 5),
                FlatFee = random.Next(3) == 0 ? random.Next(0, 2000) / 100m : null,
            });
        }
        return tiers;
    }

    // A price with up to `decimals` decimals, often sub-cent, so ties and sub-unit rounding occur.
    private static decimal Price(Random random, int decimals) =>
        random.Next(0, 2_000_000) / (decimal)Math.Pow(10, random.Next(0, decimals + 1));
}
