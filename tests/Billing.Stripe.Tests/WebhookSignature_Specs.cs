namespace Billing.Stripe.Tests;

public sealed class When_a_webhook_signature_is_verified
{
    private const string Payload = """{"id":"evt_1","object":"event","type":"invoice.paid","created":1793491200,"data":{"object":{"id":"in_1"}}}""";
    private const string Secret = "whsec_current";
    private const string OldSecret = "whsec_previous";
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    private static StripeSignatureResult Verify(string payload, string? header, params string[] secrets) =>
        StripeWebhookSignature.Verify(payload, header, secrets, Now, Tolerance);

    [Fact]
    public void Does_accept_a_header_signed_with_the_secret()
    {
        Assert.Equal(StripeSignatureResult.Valid, Verify(Payload, StripeWebhookSignature.Sign(Payload, Secret, Now), Secret));
    }

    private const string KnownSignature = "35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91";

    [Fact]
    public void Does_match_a_known_stripe_style_signature()
    {
        // HMAC-SHA256("whsec_test", "1700000000.{}") computed independently with openssl.
        var header = "t=1700000000,v1=" + StripeWebhookSignature.ComputeSignature("{}", "whsec_test", 1700000000);

        Assert.Equal("t=1700000000,v1=" + KnownSignature, header);
    }

    [Fact]
    public void Does_reject_a_header_signed_with_another_secret()
    {
        Assert.Equal(StripeSignatureResult.NoMatchingSignature, Verify(Payload, StripeWebhookSignature.Sign(Payload, "whsec_attacker", Now), Secret));
    }

    [Fact]
    public void Does_accept_an_event_signed_with_the_old_secret_during_rotation()
    {
        var header = StripeWebhookSignature.Sign(Payload, OldSecret, Now);

        Assert.Equal(StripeSignatureResult.Valid, Verify(Payload, header, Secret, OldSecret));
    }

    [Theory]
    [InlineData(Secret)]
    [InlineData(OldSecret)]
    public void Does_accept_a_header_with_two_v1_when_either_matches(string ours)
    {
        var t = Now.ToUnixTimeSeconds();
        var header = $"t={t},v1={StripeWebhookSignature.ComputeSignature(Payload, Secret, t)},v1={StripeWebhookSignature.ComputeSignature(Payload, OldSecret, t)},v0=deadbeef";

        Assert.Equal(StripeSignatureResult.Valid, Verify(Payload, header, ours));
    }

    [Fact]
    public void Does_reject_a_tampered_body()
    {
        var header = StripeWebhookSignature.Sign(Payload, Secret, Now);

        Assert.Equal(StripeSignatureResult.NoMatchingSignature, Verify(Payload.Replace("in_1", "in_2"), header, Secret));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(-3600)]
    [InlineData(301)]
    public void Does_reject_a_timestamp_outside_the_tolerance(int offsetSeconds)
    {
        var header = StripeWebhookSignature.Sign(Payload, Secret, Now.AddSeconds(offsetSeconds));

        Assert.Equal(StripeSignatureResult.TimestampOutsideTolerance, Verify(Payload, header, Secret));
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    public void Does_accept_a_timestamp_at_the_edge_of_the_tolerance(int offsetSeconds)
    {
        var header = StripeWebhookSignature.Sign(Payload, Secret, Now.AddSeconds(offsetSeconds));

        Assert.Equal(StripeSignatureResult.Valid, Verify(Payload, header, Secret));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Does_report_a_missing_header(string? header)
    {
        Assert.Equal(StripeSignatureResult.MissingHeader, Verify(Payload, header, Secret));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("v1=abc")]
    [InlineData("t=1793534400")]
    [InlineData("t=soon,v1=abc")]
    [InlineData("t=-5,v1=abc")]
    [InlineData("t=1,t=2,v1=abc")]
    [InlineData("t=99999999999999,v1=abc")]
    [InlineData("t=1793534400,v0=abc")]
    public void Does_report_a_malformed_header(string header)
    {
        Assert.Equal(StripeSignatureResult.Malformed, Verify(Payload, header, Secret));
    }

    [Fact]
    public void Does_accept_an_uppercase_hex_signature()
    {
        var t = Now.ToUnixTimeSeconds();
        var header = $"t={t},v1={StripeWebhookSignature.ComputeSignature(Payload, Secret, t).ToUpperInvariant()}";

        Assert.Equal(StripeSignatureResult.Valid, Verify(Payload, header, Secret));
    }

    [Fact]
    public void Does_refuse_to_verify_without_any_secret()
    {
        Assert.Throws<ArgumentException>(() => Verify(Payload, StripeWebhookSignature.Sign(Payload, Secret, Now)));
    }

    [Fact]
    public void Does_use_the_configured_secrets_and_tolerance()
    {
        var options = new StripeOptions { WebhookSecrets = [OldSecret, Secret], WebhookToleranceSeconds = 60 };

        Assert.Equal(StripeSignatureResult.Valid,
            StripeWebhookSignature.Verify(Payload, StripeWebhookSignature.Sign(Payload, Secret, Now.AddSeconds(-60)), options, Now));
        Assert.Equal(StripeSignatureResult.TimestampOutsideTolerance,
            StripeWebhookSignature.Verify(Payload, StripeWebhookSignature.Sign(Payload, Secret, Now.AddSeconds(-61)), options, Now));
    }
}
