using Billing.Testing.FakeStripe;
using Stripe;

namespace Billing.Stripe.Tests;

public sealed class When_a_webhook_event_is_parsed
{
    private static readonly string Version = FakeStripeServer.ApiVersion;

    [Fact]
    public void Does_read_the_envelope_into_stripe_net_types()
    {
        var evt = StripeWebhookEvent.Parse($$$$"""
            {"id":"evt_1","object":"event","api_version":"{{{{Version}}}}","created":1793491200,"livemode":false,
             "type":"invoice.paid","data":{"object":{"id":"in_1","object":"invoice","total":1234,"amount_paid":1234,"currency":"eur",
             "metadata":{"billing_invoice_id":"x"} } } }
            """);

        Assert.Equal("evt_1", evt.Id);
        Assert.Equal("invoice.paid", evt.Type);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1793491200).UtcDateTime, evt.Created);
        Assert.Equal(Version, evt.ApiVersion);
        var invoice = Assert.IsType<Invoice>(evt.Data.Object);
        Assert.Equal("in_1", invoice.Id);
        Assert.Equal(1234, invoice.Total);
        Assert.Equal("x", invoice.Metadata["billing_invoice_id"]);
    }

    [Fact]
    public void Does_read_a_charge_with_its_payment_intent_and_refunds()
    {
        var evt = StripeWebhookEvent.Parse($$$$"""
            {"id":"evt_2","object":"event","api_version":"{{{{Version}}}}","created":1793491200,"type":"charge.refunded",
             "data":{"object":{"id":"ch_1","object":"charge","amount":500,"currency":"usd","payment_intent":"pi_1",
             "refunds":{"object":"list","data":[{"id":"re_1","object":"refund","amount":200,"status":"succeeded"} ] } } } }
            """);

        var charge = Assert.IsType<Charge>(evt.Data.Object);
        Assert.Equal("pi_1", charge.PaymentIntentId);
        Assert.Equal(200, Assert.Single(charge.Refunds.Data).Amount);
    }

    [Theory]
    [InlineData("2024-06-20")]
    [InlineData("2025-03-31.basil")]
    public void Does_refuse_an_event_of_another_api_version(string version)
    {
        var ex = Assert.Throws<FormatException>(() => StripeWebhookEvent.Parse($$$$"""
            {"id":"evt_1","object":"event","api_version":"{{{{version}}}}","created":1,"type":"invoice.paid","data":{"object":{"id":"in_1","object":"invoice"}}}
            """));

        Assert.Contains(version, ex.Message);
        Assert.Contains(Version, ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"id\":")]
    public void Does_reject_a_payload_that_is_not_json(string payload)
    {
        var ex = Assert.Throws<FormatException>(() => StripeWebhookEvent.Parse(payload));
        Assert.Contains("payload", ex.Message);
    }

    [Theory]
    [InlineData("[]", "JSON object")]
    [InlineData("""{"type":"invoice.paid","created":1,"data":{"object":{}}}""", "'id'")]
    [InlineData("""{"id":"evt_1","created":1,"data":{"object":{}}}""", "'type'")]
    [InlineData("""{"id":"evt_1","type":"x","created":"yesterday","data":{"object":{}}}""", "'created'")]
    [InlineData("""{"id":"evt_1","type":"x","created":1,"data":{}}""", "data.object")]
    [InlineData("""{"id":"evt_1","type":"x","created":1}""", "data.object")]
    [InlineData("""{"id":"evt_1","type":"x","created":1,"data":{"object":{}}}""", "'api_version'")]
    public void Does_name_what_is_missing(string payload, string named)
    {
        var ex = Assert.Throws<FormatException>(() => StripeWebhookEvent.Parse(payload));
        Assert.Contains(named, ex.Message);
    }

    [Fact]
    public void Does_refuse_an_object_whose_fields_have_the_wrong_type()
    {
        var ex = Assert.Throws<FormatException>(() => StripeWebhookEvent.Parse($$$$"""
            {"id":"evt_3","object":"event","api_version":"{{{{Version}}}}","created":1,"type":"invoice.paid",
             "data":{"object":{"id":"in_1","object":"invoice","amount_paid":"a lot"}}}
            """));

        Assert.Contains("evt_3", ex.Message);
    }
}
