using System.Net;
using System.Net.Sockets;

namespace Billing.Stripe.Tests;

public sealed class When_stripe_rate_limits_the_client : StripeSpec
{
    [Fact]
    public async Task Does_wait_at_least_retry_after_and_then_succeed()
    {
        Server.FailNext(2, 429, retryAfter: "3");

        var customer = await CreateCustomerAsync("billing-1-customer");

        Assert.Equal(3, Server.RequestCount("POST", "/v1/customers"));
        Assert.Single(Server.Customers, c => c.Id == customer.Id);
        Assert.Equal(2, Clock.Delays.Count);
        Assert.All(Clock.Delays, d => Assert.True(d >= TimeSpan.FromSeconds(3), $"waited only {d}"));
    }

    [Fact]
    public async Task Does_send_the_same_idempotency_key_on_every_attempt()
    {
        Server.FailNext(2, 429, retryAfter: "1");

        await CreateCustomerAsync("billing-1-customer");

        Assert.Equal(["billing-1-customer", "billing-1-customer", "billing-1-customer"], Server.Requests.Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task Does_give_up_when_retry_after_is_longer_than_allowed()
    {
        Server.FailNext(1, 429, retryAfter: "600");

        var ex = await Assert.ThrowsAsync<StripeException>(() => CreateCustomerAsync());

        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Equal("rate_limit", ex.Code);
        Assert.Equal(1, Server.RequestCount("/v1/customers"));
        Assert.Empty(Clock.Delays);
    }
}

public sealed class When_stripe_fails_on_its_side : StripeSpec
{
    [Fact]
    public async Task Does_retry_a_500_and_succeed()
    {
        Server.FailNext(1, 500);

        await CreateCustomerAsync();

        Assert.Equal(2, Server.RequestCount("/v1/customers"));
        Assert.Single(Server.Customers);
        var delay = Assert.Single(Clock.Delays);
        // First step is 500 ms, jittered down to no less than half of it.
        Assert.InRange(delay, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task Does_back_off_exponentially_and_stop_after_max_retries()
    {
        Server.FailNext(10, 503);
        var client = NewClient(o => o.MaxRetries = 3);

        var ex = await Assert.ThrowsAsync<StripeException>(() => client.GetCustomerAsync("cus_any"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal("api_error", ex.Type);
        Assert.Equal(4, Server.RequestCount("/v1/customers/cus_any"));
        var delays = Clock.Delays;
        Assert.Equal(3, delays.Count);
        Assert.InRange(delays[2], TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(2000));
    }

    [Fact]
    public async Task Does_not_retry_when_stripe_says_it_should_not()
    {
        Server.FailNext(1, 500, shouldRetry: false);

        await Assert.ThrowsAsync<StripeException>(() => CreateCustomerAsync());

        Assert.Equal(1, Server.RequestCount("/v1/customers"));
        Assert.Empty(Server.Customers);
    }

    [Fact]
    public async Task Does_retry_a_conflict_stripe_says_to_retry()
    {
        Server.FailNext(1, 409, shouldRetry: true);

        await CreateCustomerAsync();

        Assert.Equal(2, Server.RequestCount("/v1/customers"));
    }

    [Fact]
    public async Task Does_retry_a_lock_timeout_conflict()
    {
        Server.FailNext(1, 409);

        await CreateCustomerAsync();

        Assert.Equal(2, Server.RequestCount("/v1/customers"));
    }
}

public sealed class When_stripe_rejects_the_request : StripeSpec
{
    [Fact]
    public async Task Does_surface_a_card_error_with_message_and_code_without_retrying()
    {
        Server.FailNext(1, 402);

        var ex = await Assert.ThrowsAsync<StripeException>(() => CreateCustomerAsync());

        Assert.Equal(HttpStatusCode.PaymentRequired, ex.StatusCode);
        Assert.Equal("card_error", ex.Type);
        Assert.Equal("card_declined", ex.Code);
        Assert.Equal("Your card was declined.", ex.StripeMessage);
        Assert.Contains("Your card was declined.", ex.Message);
        Assert.Contains("card_declined", ex.Message);
        Assert.Equal(1, Server.RequestCount("/v1/customers"));
    }

    [Fact]
    public async Task Does_surface_an_invalid_request_naming_the_param()
    {
        var ex = await Assert.ThrowsAsync<StripeException>(() =>
            Client.CreateInvoiceItemAsync("cus_unknown", "in_unknown", 100, "eur", null, null, "item-key"));

        Assert.Equal("invalid_request_error", ex.Type);
        Assert.Equal("resource_missing", ex.Code);
        Assert.Equal("customer", ex.Param);
        Assert.Contains("No such customer", ex.Message);
        Assert.Empty(Clock.Delays);
    }

    [Fact]
    public async Task Does_report_a_wrong_api_key_as_unauthorized()
    {
        var client = NewClient(o => o.ApiKey = "sk_test_wrong_key_12345");

        var ex = await Assert.ThrowsAsync<StripeException>(() => client.GetCustomerAsync("cus_any"));

        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Contains("Invalid API Key", ex.Message);
        Assert.DoesNotContain("sk_test_wrong_key_12345", ex.Message);
        Assert.Equal(1, Server.RequestCount("/v1/customers/cus_any"));
    }
}

public sealed class When_stripe_cannot_be_reached : StripeSpec
{
    [Fact]
    public async Task Does_retry_the_connection_then_throw_the_network_error()
    {
        var client = NewClient(o => { o.BaseUrl = $"http://127.0.0.1:{ClosedPort()}"; o.MaxRetries = 2; });

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetCustomerAsync("cus_any"));

        Assert.Equal(2, Clock.Delays.Count);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
