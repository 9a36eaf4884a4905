using static Billing.Invoicing.Tests.Plans;

namespace Billing.Invoicing.Tests;

public class When_a_plan_is_validated
{
    private static string[] FieldsOf(PlanDefinition plan) => plan.Validate().Select(e => e.Field).ToArray();

    private static string MessageOf(PlanDefinition plan, string field) => Assert.Single(plan.Validate(), e => e.Field == field).Message;

    [Fact]
    public void Does_accept_a_plan_with_every_model() =>
        Assert.Empty(With("EUR", 100, PerUnit("a", 0.0005m), Graduated("b", ThreeTiers), Volume("c", ThreeTiers),
            Package("d", 100, 2.5m)).Validate());

    [Fact]
    public void Does_accept_a_plan_without_components() => Assert.Empty(With("JPY", 0).Validate());

    [Fact]
    public void Does_name_plan_fields()
    {
        var plan = new PlanDefinition { Code = "", Name = " ", Currency = "eur", BaseFeeMinor = -1 };
        Assert.Equal(["code", "name", "currency", "base_fee_minor"], FieldsOf(plan));
    }

    [Fact]
    public void Does_require_strictly_increasing_tiers()
    {
        IReadOnlyList<PriceTier> tiers = [new() { UpTo = 10, UnitPrice = 1m }, new() { UpTo = 20, UnitPrice = 1m },
            new() { UpTo = 20, UnitPrice = 1m }, new() { UnitPrice = 1m }];
        var plan = With("EUR", 0, PerUnit("a", 1m), Graduated("b", tiers));
        Assert.Equal("tiers must be strictly increasing", MessageOf(plan, "components[1].tiers[2].up_to"));
        Assert.Equal(["components[1].tiers[2].up_to"], FieldsOf(plan));
    }

    [Fact]
    public void Does_require_a_positive_first_bound() =>
        Assert.Equal(["components[0].tiers[0].up_to"],
            FieldsOf(With("EUR", 0, Volume("a", [new() { UpTo = 0, UnitPrice = 1m }, new() { UnitPrice = 1m }]))));

    [Fact]
    public void Does_require_the_last_tier_open_and_only_the_last()
    {
        var closed = With("EUR", 0, Volume("a", [new() { UpTo = 10, UnitPrice = 1m }]));
        Assert.Equal("the last tier must be open (up_to null)", MessageOf(closed, "components[0].tiers[0].up_to"));
        var openEarly = With("EUR", 0, Graduated("a", [new() { UnitPrice = 1m }, new() { UnitPrice = 2m }]));
        Assert.Equal(["components[0].tiers[0].up_to"], FieldsOf(openEarly));
    }

    [Fact]
    public void Does_require_at_least_one_tier()
    {
        Assert.Equal(["components[0].tiers"], FieldsOf(With("EUR", 0, Graduated("a", []))));
        Assert.Equal(["components[0].tiers"], FieldsOf(With("EUR", 0, new MeteredComponent { Metric = "a", Model = "volume" })));
    }

    [Fact]
    public void Does_reject_negative_prices_and_fees()
    {
        var plan = With("EUR", 0, PerUnit("a", -0.01m),
            Graduated("b", [new() { UpTo = 5, UnitPrice = 1m, FlatFee = -1m }, new() { UnitPrice = -2m }]),
            Package("c", 10, -1m));
        Assert.Equal(["components[0].unit_price", "components[1].tiers[0].flat_fee", "components[1].tiers[1].unit_price",
            "components[2].package_price"], FieldsOf(plan));
    }

    [Fact]
    public void Does_reject_more_than_12_decimals_but_not_trailing_zeros()
    {
        Assert.Equal("must have at most 12 decimals",
            MessageOf(With("EUR", 0, PerUnit("a", 0.0000000000001m)), "components[0].unit_price"));
        Assert.Empty(With("EUR", 0, PerUnit("a", 0.100000000000000m)).Validate());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-10")]
    public void Does_require_a_positive_package_size(string size) =>
        Assert.Equal(["components[0].package_size"],
            FieldsOf(With("EUR", 0, Package("a", decimal.Parse(size, System.Globalization.CultureInfo.InvariantCulture), 1m))));

    [Fact]
    public void Does_name_an_unknown_model()
    {
        var plan = With("EUR", 0, PerUnit("a", 1m), new MeteredComponent { Metric = "b", Model = "tiered" });
        Assert.Equal("unknown model 'tiered'; expected one of per_unit, graduated, volume, package",
            MessageOf(plan, "components[1].model"));
    }

    [Fact]
    public void Does_require_metric_and_model() =>
        Assert.Equal(["components[0].metric", "components[0].model"], FieldsOf(With("EUR", 0, new MeteredComponent())));

    [Fact]
    public void Does_reject_a_metric_priced_twice() =>
        Assert.Equal(["components[1].metric"], FieldsOf(With("EUR", 0, PerUnit("a", 1m), PerUnit("a", 2m))));

    [Fact]
    public void Does_reject_fields_the_model_does_not_use() =>
        Assert.Equal(["components[0].tiers", "components[0].package_size"],
            FieldsOf(With("EUR", 0, PerUnit("a", 1m) with { Tiers = ThreeTiers, PackageSize = 5 })));

    [Fact]
    public void Does_require_a_tier_to_have_a_price() =>
        Assert.Equal(["components[0].tiers[1].unit_price"],
            FieldsOf(With("EUR", 0, Graduated("a", [new() { UpTo = 5, FlatFee = 1m }, new()]))));

    [Fact]
    public void Does_carry_every_error_in_the_exception()
    {
        var plan = new PlanDefinition { Code = "x", Name = "x", Currency = "XXX", Components = [new MeteredComponent()] };
        var error = Assert.Throws<DomainValidationException>(plan.EnsureValid);
        Assert.Equal("currency", error.Field);
        Assert.Equal(3, error.Errors.Count);
        Assert.Contains("components[0].model", error.Message);
    }
}
