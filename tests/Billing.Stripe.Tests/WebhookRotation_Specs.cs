using Stripe;

namespace Billing.Stripe.Tests;

/// <summary>
/// While an endpoint secret is rolled Stripe signs with the new one, and events already signed with the old one are
/// still delivered: both are configured, either is accepted, anything else refused before the body is read.
/// </summary>
public sealed class When_a_webhook_secret_is_rolled : StripeSpec
{
    private const string OldSecret = "whsec_old_5e4d3c2b1a";
    private const string NewSecret = "whsec_new_0f1e2d3c4b";

    private StripeSignatureResult Verify(Testing.FakeStripe.FakeWebhook webhook, DateTimeOffset now) =>
        StripeWebhookSignature.Verify(webhook.Payload, webhook.SignatureHeader, new StripeOptions { ApiKey = "sk_test_x", WebhookSecrets = [OldSecret, NewSecret] }, now);

    [Theory]
    [InlineData(OldSecret)]
    [InlineData(NewSecret)]
    public async Task Does_accept_and_parse_an_event_signed_with_either_secret(string secret)
    {
        var customer = await CreateCustomerAsync();
        var draft = await Client.CreateInvoiceAsync(customer.Id, "eur", null, "i", DueDate);
        var now = Clock.GetUtcNow();

        var webhook = Server.CreateWebhook("invoice.paid", Invoice(draft.Id), now, secret);

        Assert.Equal(StripeSignatureResult.Valid, Verify(webhook, now.AddSeconds(30)));
        var evt = StripeWebhookEvent.Parse(webhook.Payload);
        Assert.Equal(draft.Id, Assert.IsType<Invoice>(evt.Data.Object).Id);
    }

    [Fact]
    public void Does_refuse_an_event_signed_with_a_secret_that_is_not_configured()
    {
        var now = Clock.GetUtcNow();
        var webhook = Server.CreateWebhook("invoice.paid", Invoice("in_1"), now, "whsec_someone_else");

        Assert.Equal(StripeSignatureResult.NoMatchingSignature, Verify(webhook, now));
    }

    [Fact]
    public void Does_keep_the_tolerance_whichever_secret_matches()
    {
        var now = Clock.GetUtcNow();
        var webhook = Server.CreateWebhook("invoice.paid", Invoice("in_1"), now, OldSecret);

        Assert.Equal(StripeSignatureResult.TimestampOutsideTolerance, Verify(webhook, now.AddSeconds(301)));
        Assert.Equal(StripeSignatureResult.Valid, Verify(webhook, now.AddSeconds(300)));
    }

    [Fact]
    public void Does_sign_as_stripe_net_verifies()
    {
        var now = Clock.GetUtcNow();
        var webhook = Server.CreateWebhook("invoice.paid", Invoice("in_1"), now, NewSecret);

        var evt = EventUtility.ConstructEvent(webhook.Payload, webhook.SignatureHeader, NewSecret, 300, now.ToUnixTimeSeconds());

        Assert.Equal("invoice.paid", evt.Type);
        Assert.Throws<global::Stripe.StripeException>(() =>
            EventUtility.ConstructEvent(webhook.Payload, webhook.SignatureHeader, OldSecret, 300, now.ToUnixTimeSeconds()));
    }

    private static System.Text.Json.Nodes.JsonObject Invoice(string id) => new()
    {
        ["id"] = id, ["object"] = "invoice", ["status"] = "paid", ["currency"] = "eur", ["total"] = 100, ["amount_paid"] = 100,
    };
}
