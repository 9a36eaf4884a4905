using System.Text.Json;

namespace Billing.Stripe.Tests;

public sealed class When_a_webhook_event_is_parsed
{
    [Fact]
    public void Does_read_the_envelope_and_keep_data_object()
    {
        var evt = StripeEvent.Parse("""
            {"id":"evt_1","object":"event","api_version":"2024-06-20","created":1793491200,"livemode":false,
             "type":"invoice.paid","data":{"object":{"id":"in_1","object":"invoice","total":1234}}}
            """);

        Assert.Equal("evt_1", evt.Id);
        Assert.Equal("invoice.paid", evt.Type);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1793491200), evt.Created);
        Assert.Equal("2024-06-20", evt.ApiVersion);
        Assert.Equal("in_1", evt.Object.GetProperty("id").GetString());
        Assert.Equal(1234, evt.Object.GetProperty("total").GetInt64());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"id\":")]
    public void Does_reject_a_payload_that_is_not_json(string payload)
    {
        var ex = Assert.Throws<FormatException>(() => StripeEvent.Parse(payload));
        Assert.Contains("payload", ex.Message);
    }

    [Theory]
    [InlineData("[]", "JSON object")]
    [InlineData("""{"type":"invoice.paid","created":1,"data":{"object":{}}}""", "'id'")]
    [InlineData("""{"id":"evt_1","created":1,"data":{"object":{}}}""", "'type'")]
    [InlineData("""{"id":"evt_1","type":"x","created":"yesterday","data":{"object":{}}}""", "'created'")]
    [InlineData("""{"id":"evt_1","type":"x","created":1,"data":{}}""", "data.object")]
    [InlineData("""{"id":"evt_1","type":"x","created":1}""", "data.object")]
    public void Does_name_what_is_missing(string payload, string named)
    {
        var ex = Assert.Throws<FormatException>(() => StripeEvent.Parse(payload));
        Assert.Contains(named, ex.Message);
    }

    [Fact]
    public void Does_keep_the_object_usable_after_parsing()
    {
        var evt = StripeEvent.Parse("""{"id":"evt_1","type":"x","created":1,"data":{"object":{"id":"in_9"}}}""");
        GC.Collect();

        Assert.Equal(JsonValueKind.Object, evt.Object.ValueKind);
        Assert.Equal("in_9", evt.Object.GetProperty("id").GetString());
    }
}
