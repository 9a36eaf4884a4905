namespace Billing.Invoicing.Tests;

public class When_plan_components_are_read_from_json
{
    private const string Json = """
        [
          {"metric":"calls","description":"API calls","model":"graduated","tiers":[
            {"up_to":1000,"unit_price":"0.10"},
            {"up_to":10000,"unit_price":0.08,"flat_fee":"5.00"},
            {"up_to":null,"unit_price":"0.05"}]},
          {"metric":"seats","model":"volume","tiers":[{"up_to":5,"flat_fee":9},{"up_to":"inf","unit_price":"1"}]},
          {"metric":"impressions","model":"per_unit","unit_price":"0.0005"},
          {"metric":"sms","model":"package","package_size":100,"package_price":"2.50"}
        ]
        """;

    [Fact]
    public void Does_read_snake_case_fields_with_prices_as_strings_or_numbers()
    {
        var components = PlanComponentsJson.Parse(Json);

        Assert.Equal(["calls", "seats", "impressions", "sms"], components.Select(c => c.Metric));
        Assert.Equal("API calls", components[0].Description);
        Assert.Equal([1000m, 10000m, null], components[0].Tiers!.Select(t => t.UpTo));
        Assert.Equal([0.10m, 0.08m, 0.05m], components[0].Tiers!.Select(t => t.UnitPrice));
        Assert.Equal(5.00m, components[0].Tiers![1].FlatFee);
        Assert.Null(components[1].Tiers![1].UpTo);   // "inf" is the open tier
        Assert.Equal(9m, components[1].Tiers![0].FlatFee);
        Assert.Equal(0.0005m, components[2].UnitPrice);
        Assert.Equal(100m, components[3].PackageSize);
        Assert.Equal(2.50m, components[3].PackagePrice);
    }

    [Fact]
    public void Does_write_what_it_reads()
    {
        var components = PlanComponentsJson.Parse(Json);
        var json = PlanComponentsJson.Serialize(components);

        Assert.Equal(components, PlanComponentsJson.Parse(json), new ComponentComparer());
        Assert.Contains("\"unit_price\":\"0.0005\"", json);      // prices as strings: no double on the way
        Assert.Contains("\"up_to\":null", json);
        Assert.Contains("\"package_size\":100", json);
        Assert.DoesNotContain("\"tiers\":null", json);
    }

    [Fact]
    public void Does_read_an_empty_list() => Assert.Empty(PlanComponentsJson.Parse("[]"));

    [Theory]
    [InlineData("""[{"metric":"a","model":"per_unit","unit_price":"abc"}]""", "components[0].unit_price")]
    [InlineData("""[{"metric":"a","model":"per_unit","unit_price":true}]""", "components[0].unit_price")]
    [InlineData("""[{"metric":"a","model":"per_unit","unitprice":"1"}]""", "components[0].unitprice")]
    [InlineData("""[{"metric":"a","model":"volume","tiers":[{"up_to":"infinity","unit_price":"1"}]}]""", "components[0].tiers[0].up_to")]
    [InlineData("""[{"metric":"a","model":"per_unit","unit_price":"1"},{"metric":"b","model":"per_unit"}]""", "components[1].unit_price")]
    [InlineData("""{"metric":"a"}""", "components")]
    [InlineData("null", "components")]
    [InlineData("[", "components[0]")]
    public void Does_name_the_offending_field(string json, string field) =>
        Assert.Equal(field, Assert.Throws<DomainValidationException>(() => PlanComponentsJson.Parse(json)).Field);

    [Fact]
    public void Does_validate_the_pricing_rules_while_parsing()
    {
        const string json = """[{"metric":"a","model":"graduated","tiers":[{"up_to":10,"unit_price":"1"},{"up_to":5,"unit_price":"1"},{"unit_price":"1"}]}]""";
        var error = Assert.Throws<DomainValidationException>(() => PlanComponentsJson.Parse(json));
        Assert.Equal("components[0].tiers[1].up_to", error.Field);
        Assert.Equal("tiers must be strictly increasing", error.Reason);
    }

    private sealed class ComponentComparer : IEqualityComparer<MeteredComponent>
    {
        public bool Equals(MeteredComponent? x, MeteredComponent? y) =>
            x!.Metric == y!.Metric && x.Description == y.Description && x.Model == y.Model && x.UnitPrice == y.UnitPrice &&
            x.PackageSize == y.PackageSize && x.PackagePrice == y.PackagePrice &&
            (x.Tiers ?? []).SequenceEqual(y.Tiers ?? []);

        public int GetHashCode(MeteredComponent obj) => obj.Metric?.GetHashCode() ?? 0;
    }
}

public class When_a_whole_plan_is_read_with_default_serializer_options
{
    [Fact]
    public void Does_use_the_snake_case_names_declared_on_the_types()
    {
        const string json = """
            {"code":"pro","name":"Pro","currency":"EUR","base_fee_minor":4900,
             "components":[{"metric":"calls","model":"per_unit","unit_price":"0.0005"}]}
            """;
        var plan = System.Text.Json.JsonSerializer.Deserialize<PlanDefinition>(json)!;

        Assert.Equal(("pro", "Pro", "EUR", 4900L), (plan.Code, plan.Name, plan.Currency, plan.BaseFeeMinor));
        Assert.Equal(0.0005m, Assert.Single(plan.Components).UnitPrice);
        Assert.Empty(plan.Validate());
    }

    [Fact]
    public void Does_report_missing_components_as_a_validation_error()
    {
        var plan = System.Text.Json.JsonSerializer.Deserialize<PlanDefinition>("""{"code":"x","name":"x","currency":"EUR","components":null}""")!;
        Assert.Equal(["components"], plan.Validate().Select(e => e.Field));
    }
}
