namespace Billing.Invoicing;

/// <summary>
/// The lines that explain a usage line (kind <see cref="InvoiceLineKinds.Tier"/>, pointing at it, never billed twice):
/// per tier reached its units × unit price, then its flat fee as its own line ("Tier 2 (1,001–10,000) flat fee");
/// for a package component the packages ("4 packages of 100 × 2.50"). A reader can check each of them by
/// multiplying, which the usage line's averaged unit price never allowed.
/// </summary>
internal static class Breakdown
{
    public static void Add(InvoiceLineBuilder lines, MeteredComponent component, decimal quantity, PricedUsage priced,
        string metric, string field, int parent)
    {
        if (component.Model == PricingModel.Package)
        {
            var size = component.PackageSize!.Value;
            var price = component.PackagePrice!.Value;
            var packages = InvoiceCalculator.Checked(() => (decimal)ExactDecimal.CeilingDivide(ExactDecimal.From(quantity), ExactDecimal.From(size)), field);
            var description = $"{TierLabel.Number(packages)} {(packages == 1 ? "package" : "packages")} of {TierLabel.Number(size)} × {Price(price, lines.Exponent)}";
            lines.Add(InvoiceLineKinds.Tier, metric, description, packages, price, lines.Round(priced.Amount, field), parent);
            return;
        }
        if (!PricingModel.IsTiered(component.Model)) return;
        foreach (var tier in priced.Tiers)
        {
            var label = TierLabel.For(tier.Index, tier.From, tier.UpTo);
            var units = InvoiceCalculator.Checked(tier.Units.ToDecimal, field);
            // A tier that only carries a fee still shows its units (at 0), so the reader sees which units reached it.
            lines.Add(InvoiceLineKinds.Tier, metric, label, units, tier.UnitPrice,
                lines.Round(tier.Units * ExactDecimal.From(tier.UnitPrice), field), parent);
            if (tier.FlatFee != 0m)
                lines.Add(InvoiceLineKinds.Tier, metric, $"{label} flat fee", 1m, tier.FlatFee,
                    lines.Round(ExactDecimal.From(tier.FlatFee), field), parent);
        }
    }

    /// <summary>At least the currency's decimals ("2.50", JPY "300"), more when the price has them ("0.0005").</summary>
    private static string Price(decimal price, int exponent) =>
        price.ToString((exponent == 0 ? "#,0" : "#,0." + new string('0', exponent)) + (exponent == 0 ? "." : "") + "############",
            System.Globalization.CultureInfo.InvariantCulture);
}
