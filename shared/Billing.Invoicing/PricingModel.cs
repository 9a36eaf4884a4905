namespace Billing.Invoicing;

/// <summary>The pricing models of a <see cref="MeteredComponent"/>, with Stripe's semantics
/// (docs/architecture.md, Money).</summary>
public static class PricingModel
{
    /// <summary>quantity × unit_price.</summary>
    public const string PerUnit = "per_unit";

    /// <summary>Each tier prices its own units, plus its flat_fee when any unit falls in it.</summary>
    public const string Graduated = "graduated";

    /// <summary>All units at the price of the tier the total reaches, plus that tier's flat_fee.</summary>
    public const string Volume = "volume";

    /// <summary>ceil(quantity / package_size) × package_price.</summary>
    public const string Package = "package";

    public static IReadOnlyList<string> Names { get; } = [PerUnit, Graduated, Volume, Package];

    public static bool IsTiered(string? model) => model is Graduated or Volume;

    /// <summary>Every problem of one component, each naming its field under <paramref name="path"/>
    /// (e.g. <c>components[1]</c> → <c>components[1].tiers[2].up_to</c>).</summary>
    public static IReadOnlyList<ValidationError> Validate(MeteredComponent component, string path)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(component.Metric)) errors.Add($"{path}.metric", "is required");
        switch (component.Model)
        {
            case PerUnit:
                RequirePrice(errors, $"{path}.unit_price", component.UnitPrice);
                Unused(errors, path, component, tiers: true, package: true);
                break;
            case Graduated or Volume:
                TierRules.Validate(errors, $"{path}.tiers", component.Tiers);
                Unused(errors, path, component, unitPrice: true, package: true);
                break;
            case Package:
                if (component.PackageSize is not { } size) errors.Add($"{path}.package_size", "is required");
                else if (size <= 0) errors.Add($"{path}.package_size", "must be greater than 0");
                RequirePrice(errors, $"{path}.package_price", component.PackagePrice);
                Unused(errors, path, component, unitPrice: true, tiers: true);
                break;
            case null or "":
                errors.Add($"{path}.model", $"is required; expected one of {string.Join(", ", Names)}");
                break;
            default:
                errors.Add($"{path}.model", $"unknown model '{component.Model}'; expected one of {string.Join(", ", Names)}");
                break;
        }
        return errors;
    }

    internal static void RequirePrice(ValidationErrors errors, string field, decimal? price)
    {
        if (price is { } p) CheckPrice(errors, field, p);
        else errors.Add(field, "is required");
    }

    internal static void CheckPrice(ValidationErrors errors, string field, decimal price)
    {
        if (price < 0) errors.Add(field, "must not be negative");
        if (Money.DecimalPlaces(price) > Money.MaxPriceDecimals)
            errors.Add(field, $"must have at most {Money.MaxPriceDecimals} decimals");
    }

    private static void Unused(ValidationErrors errors, string path, MeteredComponent c,
        bool unitPrice = false, bool tiers = false, bool package = false)
    {
        var because = $"is not used by model {c.Model}";
        if (unitPrice && c.UnitPrice is not null) errors.Add($"{path}.unit_price", because);
        if (tiers && c.Tiers is not null) errors.Add($"{path}.tiers", because);
        if (package && c.PackageSize is not null) errors.Add($"{path}.package_size", because);
        if (package && c.PackagePrice is not null) errors.Add($"{path}.package_price", because);
    }
}
