using System.Net;
using System.Text;

namespace Billing.Stripe.Tests;

public sealed class When_stripe_answers_with_an_unexpected_body
{
    [Theory]
    [InlineData("""{"object":"customer","name":"Acme"}""")]
    [InlineData("""{"id":null,"object":"customer"}""")]
    [InlineData("<html>maintenance</html>")]
    [InlineData("null")]
    public async Task Does_throw_instead_of_returning_a_half_empty_object(string body)
    {
        using var client = new StripeClient(new StripeOptions { ApiKey = "sk_test_x" }, transport: new CannedHandler(body));

        var ex = await Assert.ThrowsAsync<StripeException>(() => client.GetCustomerAsync("cus_1"));

        Assert.Equal("invalid_response", ex.Code);
        Assert.Contains(nameof(StripeCustomer), ex.Message);
    }

    [Fact]
    public async Task Does_read_a_complete_body()
    {
        using var client = new StripeClient(new StripeOptions { ApiKey = "sk_test_x" },
            transport: new CannedHandler("""{"id":"cus_1","object":"customer","name":null,"email":null,"metadata":{}}"""));

        var customer = await client.GetCustomerAsync("cus_1");

        Assert.Equal("cus_1", customer.Id);
        Assert.False(customer.Deleted);
    }

    private sealed class CannedHandler(string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }
}
