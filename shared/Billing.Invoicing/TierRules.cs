namespace Billing.Invoicing;

internal static class TierRules
{
    public static void Validate(ValidationErrors errors, string path, IReadOnlyList<PriceTier>? tiers)
    {
        if (tiers is null || tiers.Count == 0)
        {
            errors.Add(path, "at least one tier is required");
            return;
        }
        decimal previous = 0;
        for (var i = 0; i < tiers.Count; i++)
        {
            var tier = tiers[i];
            var at = $"{path}[{i}]";
            if (tier is null)
            {
                errors.Add(at, "must be an object");
                continue;
            }
            var last = i == tiers.Count - 1;
            if (tier.UpTo is { } upTo)
            {
                if (last) errors.Add($"{at}.up_to", "the last tier must be open (up_to null)");
                else if (upTo <= previous)
                    errors.Add($"{at}.up_to", i == 0 ? "must be greater than 0" : "tiers must be strictly increasing");
                else previous = upTo;
            }
            else if (!last)
            {
                errors.Add($"{at}.up_to", "only the last tier may be open (up_to null)");
            }
            if (tier.UnitPrice is null && tier.FlatFee is null)
                errors.Add($"{at}.unit_price", "a tier needs a unit_price, a flat_fee or both");
            if (tier.UnitPrice is { } price) PricingModel.CheckPrice(errors, $"{at}.unit_price", price);
            if (tier.FlatFee is { } fee) PricingModel.CheckPrice(errors, $"{at}.flat_fee", fee);
        }
    }
}
