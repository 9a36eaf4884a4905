namespace Billing.Invoicing;

/// <summary>What one tier contributed: <see cref="Units"/> at <see cref="UnitPrice"/> plus <see cref="FlatFee"/>.
/// <see cref="From"/> is the exclusive lower bound (the previous tier's up_to, 0 for the first).</summary>
internal sealed record TierCharge(int Index, decimal From, decimal? UpTo, ExactDecimal Units, decimal UnitPrice,
    decimal FlatFee, ExactDecimal Amount);

/// <summary>The exact, unrounded price of a quantity; <see cref="Tiers"/> is empty for untiered models.</summary>
internal sealed record PricedUsage(ExactDecimal Amount, IReadOnlyList<TierCharge> Tiers);

/// <summary>Prices a quantity under a component already checked by <see cref="PricingModel.Validate"/>.</summary>
internal static class Pricing
{
    public static PricedUsage Price(MeteredComponent component, decimal quantity)
    {
        if (quantity < 0) throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "quantity must not be negative");
        var q = ExactDecimal.From(quantity);
        // No units, no charge, under every model: a flat fee is only owed once a unit falls in its tier,
        // so an account that used nothing is billed its base fee only.
        if (q.Sign == 0) return new PricedUsage(ExactDecimal.Zero, []);
        return component.Model switch
        {
            PricingModel.PerUnit => new PricedUsage(q * ExactDecimal.From(component.UnitPrice!.Value), []),
            PricingModel.Graduated => Graduated(component.Tiers!, q),
            PricingModel.Volume => Volume(component.Tiers!, q),
            PricingModel.Package => Package(component.PackageSize!.Value, component.PackagePrice!.Value, q),
            _ => throw new InvalidOperationException($"unknown pricing model '{component.Model}'"),
        };
    }

    private static PricedUsage Graduated(IReadOnlyList<PriceTier> tiers, ExactDecimal q)
    {
        var charges = new List<TierCharge>();
        var total = ExactDecimal.Zero;
        decimal from = 0;
        for (var i = 0; i < tiers.Count && q > ExactDecimal.From(from); i++)
        {
            var tier = tiers[i];
            var top = tier.UpTo is { } upTo ? ExactDecimal.Min(q, ExactDecimal.From(upTo)) : q;
            var units = top - ExactDecimal.From(from);
            var charge = Charge(i, from, tier, units);
            charges.Add(charge);
            total += charge.Amount;
            if (tier.UpTo is not { } next) break;
            from = next;
        }
        return new PricedUsage(total, charges);
    }

    private static PricedUsage Volume(IReadOnlyList<PriceTier> tiers, ExactDecimal q)
    {
        decimal from = 0;
        for (var i = 0; i < tiers.Count; i++)
        {
            var tier = tiers[i];
            // up_to is inclusive: exactly 1,000 units stay in the tier "up to 1,000".
            if (tier.UpTo is not { } upTo || q <= ExactDecimal.From(upTo))
            {
                var charge = Charge(i, from, tier, q);
                return new PricedUsage(charge.Amount, [charge]);
            }
            from = upTo;
        }
        throw new InvalidOperationException("volume tiers must end with an open tier");
    }

    private static PricedUsage Package(decimal size, decimal price, ExactDecimal q)
    {
        var packages = ExactDecimal.CeilingDivide(q, ExactDecimal.From(size));
        return new PricedUsage(new ExactDecimal(packages, 0) * ExactDecimal.From(price), []);
    }

    private static TierCharge Charge(int index, decimal from, PriceTier tier, ExactDecimal units)
    {
        var price = tier.UnitPrice ?? 0m;
        var fee = tier.FlatFee ?? 0m;
        var amount = units * ExactDecimal.From(price) + ExactDecimal.From(fee);
        return new TierCharge(index, from, tier.UpTo, units, price, fee, amount);
    }
}
