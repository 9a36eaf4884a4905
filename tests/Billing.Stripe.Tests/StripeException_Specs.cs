using System.Net;

namespace Billing.Stripe.Tests;

public sealed class When_an_error_response_is_read
{
    [Fact]
    public void Does_carry_every_stripe_field()
    {
        var ex = StripeException.FromResponse(HttpStatusCode.PaymentRequired,
            """{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds.","param":"source"}}""",
            "req_123");

        Assert.Equal("card_error", ex.Type);
        Assert.Equal("card_declined", ex.Code);
        Assert.Equal("insufficient_funds", ex.DeclineCode);
        Assert.Equal("source", ex.Param);
        Assert.Equal("req_123", ex.RequestId);
        Assert.Equal("Stripe returned 402 card_error (code card_declined): Your card has insufficient funds. [param source] [request req_123]", ex.Message);
    }

    [Theory]
    [InlineData("<html>Bad gateway</html>")]
    [InlineData("")]
    [InlineData("""{"message":"not stripe"}""")]
    public void Does_describe_a_body_that_is_not_a_stripe_error(string body)
    {
        var ex = StripeException.FromResponse(HttpStatusCode.BadGateway, body, null);

        Assert.Equal(HttpStatusCode.BadGateway, ex.StatusCode);
        Assert.Null(ex.Type);
        Assert.Contains("502", ex.Message);
    }
}
