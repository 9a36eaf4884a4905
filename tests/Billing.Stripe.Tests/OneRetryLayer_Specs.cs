using System.Net;

namespace Billing.Stripe.Tests;

// Stripe.net runs with its own retries off: every repeat below is our handler's, paced by the test clock.
public sealed class When_stripe_asks_to_wait_once : StripeSpec
{
    [Fact]
    public async Task Does_retry_a_429_exactly_once_after_at_least_retry_after_with_the_same_key()
    {
        Server.FailNext(1, 429, retryAfter: "7");

        var customer = await CreateCustomerAsync("billing-7-customer");

        var posts = Server.Requests.Where(r => r.Path == "/v1/customers").ToList();
        Assert.Equal(2, posts.Count);
        Assert.All(posts, p => Assert.Equal("billing-7-customer", p.IdempotencyKey));
        Assert.All(posts, p => Assert.Equal(FakeStripeServerVersion, p.StripeVersion));
        Assert.Equal(posts[0].Form.OrderBy(f => f.Key), posts[1].Form.OrderBy(f => f.Key));
        var wait = Assert.Single(Clock.Delays);
        Assert.True(wait >= TimeSpan.FromSeconds(7), $"waited only {wait}");
        Assert.Single(Server.Customers, c => c.Id == customer.Id);
    }

    [Fact]
    public async Task Does_not_retry_a_429_when_stripe_says_it_should_not()
    {
        Server.FailNext(1, 429, retryAfter: "1", shouldRetry: false);

        var ex = await Assert.ThrowsAsync<StripeException>(() => CreateCustomerAsync());

        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Equal("rate_limit", ex.Code);
        Assert.Equal(1, Server.RequestCount("/v1/customers"));
        Assert.Empty(Clock.Delays);
        Assert.Empty(Server.Customers);
    }

    [Fact]
    public async Task Does_not_let_stripe_net_retry_on_its_own()
    {
        // Stripe.net alone would retry a 500 and a 409; with our retries at 0 nothing may repeat the request.
        var client = NewClient(o => o.MaxRetries = 0);
        Server.FailNext(1, 500);
        Server.FailNext(1, 409, shouldRetry: true);

        var first = await Assert.ThrowsAsync<StripeException>(() => client.GetCustomerAsync("cus_any"));
        var second = await Assert.ThrowsAsync<StripeException>(() => client.GetCustomerAsync("cus_any"));

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal(2, Server.RequestCount("/v1/customers/cus_any"));
        Assert.Empty(Clock.Delays);
    }

    [Fact]
    public async Task Does_keep_stripe_nets_exception_as_the_cause()
    {
        var ex = await Assert.ThrowsAsync<StripeException>(() => Client.GetCustomerAsync("cus_missing"));

        var inner = Assert.IsType<global::Stripe.StripeException>(ex.InnerException);
        Assert.Equal(HttpStatusCode.NotFound, inner.HttpStatusCode);
        Assert.Equal("resource_missing", inner.StripeError.Code);
        Assert.Equal(inner.StripeResponse.RequestId, ex.RequestId);
    }

    private static string FakeStripeServerVersion => global::Stripe.StripeConfiguration.ApiVersion;
}
