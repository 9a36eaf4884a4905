using System.Net;
using System.Net.Http.Headers;
using Billing.Testing.FakeStripe;

namespace Billing.Stripe.Tests;

public sealed class When_the_same_create_is_sent_twice : StripeSpec
{
    [Fact]
    public async Task Does_create_one_customer_and_return_it_both_times()
    {
        var first = await CreateCustomerAsync("billing-x-customer");
        var second = await CreateCustomerAsync("billing-x-customer");

        Assert.Equivalent(first, second, strict: true);
        Assert.Single(Server.Customers);
        Assert.Equal(2, Server.RequestCount("POST", "/v1/customers"));
    }

    [Fact]
    public async Task Does_mark_the_second_response_as_replayed()
    {
        var first = await PostCustomerAsync("same-key", "Acme");
        var second = await PostCustomerAsync("same-key", "Acme");

        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Does_refuse_the_same_key_with_other_parameters_without_retrying()
    {
        await Client.CreateCustomerAsync("Acme", null, null, "shared-key");

        var ex = await Assert.ThrowsAsync<StripeException>(() => Client.CreateCustomerAsync("Other Ltd", null, null, "shared-key"));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("idempotency_error", ex.Type);
        Assert.Contains("shared-key", ex.Message);
        Assert.Single(Server.Customers);
        Assert.Equal(2, Server.RequestCount("/v1/customers"));
    }

    [Fact]
    public async Task Does_treat_metadata_in_another_order_as_the_same_request()
    {
        var a = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" };
        var b = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };

        var first = await Client.CreateCustomerAsync("Acme", null, a, "k");
        var second = await Client.CreateCustomerAsync("Acme", null, b, "k");

        Assert.Equal(first.Id, second.Id);
        Assert.Single(Server.Customers);
    }

    [Fact]
    public async Task Does_not_keep_a_failed_attempt_under_the_key()
    {
        Server.FailNext(1, 400);
        var first = await Assert.ThrowsAsync<StripeException>(() => CreateCustomerAsync("retry-later"));

        var customer = await CreateCustomerAsync("retry-later");

        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        Assert.Single(Server.Customers, c => c.Id == customer.Id);
    }

    private Task<HttpResponseMessage> PostCustomerAsync(string key, string name)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Server.BaseUrl + "/v1/customers")
        {
            Content = new FormUrlEncodedContent([new("name", name)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Server.ApiKey);
        request.Headers.Add("Idempotency-Key", key);
        request.Headers.Add("Stripe-Version", FakeStripeServer.ApiVersion);
        return Http.SendAsync(request);
    }
}
