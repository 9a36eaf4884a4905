namespace Billing.Invoicing.Tests;

/// <summary>Plans the specs price, with the tier tables written out where they are hand-computed.</summary>
internal static class Plans
{
    /// <summary>1–1,000 @ 0.10; 1,001–10,000 @ 0.08 + 5.00 flat; 10,001+ @ 0.05.</summary>
    public static IReadOnlyList<PriceTier> ThreeTiers { get; } =
    [
        new() { UpTo = 1000, UnitPrice = 0.10m },
        new() { UpTo = 10000, UnitPrice = 0.08m, FlatFee = 5.00m },
        new() { UpTo = null, UnitPrice = 0.05m },
    ];

    public static PlanDefinition With(string currency, long baseFeeMinor, params MeteredComponent[] components) => new()
    {
        Code = "test",
        Name = "Test",
        Currency = currency,
        BaseFeeMinor = baseFeeMinor,
        Components = components,
    };

    public static MeteredComponent PerUnit(string metric, decimal unitPrice) =>
        new() { Metric = metric, Model = PricingModel.PerUnit, UnitPrice = unitPrice };

    public static MeteredComponent Graduated(string metric, IReadOnlyList<PriceTier> tiers) =>
        new() { Metric = metric, Model = PricingModel.Graduated, Tiers = tiers };

    public static MeteredComponent Volume(string metric, IReadOnlyList<PriceTier> tiers) =>
        new() { Metric = metric, Model = PricingModel.Volume, Tiers = tiers };

    public static MeteredComponent Package(string metric, decimal size, decimal price) =>
        new() { Metric = metric, Model = PricingModel.Package, PackageSize = size, PackagePrice = price };

    /// <summary>Prices one metric alone on a plan without base fee or tax.</summary>
    public static ComputedInvoice Price(MeteredComponent component, decimal quantity, string currency = "EUR") =>
        InvoiceCalculator.Compute(With(currency, 0, component), 0m,
            new Dictionary<string, decimal> { [component.Metric!] = quantity }, []);

    public static long UsageAmount(this ComputedInvoice invoice) =>
        invoice.Lines.Where(l => l.Kind == InvoiceLineKinds.Usage).Sum(l => l.AmountMinor);

    public static Dictionary<string, decimal> Usage(params (string Metric, decimal Quantity)[] usage) =>
        usage.ToDictionary(u => u.Metric, u => u.Quantity);
}
