using System.Net;
using System.Text;
using Billing.Testing.FakeStripe;

namespace Billing.Stripe.Tests;

public sealed class When_an_attempt_gets_no_answer
{
    private readonly AutoAdvancingTimeProvider _clock = new();

    [Fact]
    public async Task Does_give_up_on_that_attempt_and_retry_with_the_same_key()
    {
        var transport = new HangsOnceHandler();
        using var client = new StripeClient(new StripeOptions { ApiKey = "sk_test_x", RequestTimeout = TimeSpan.FromMilliseconds(200) },
            _clock, transport: transport);

        var customer = await client.CreateCustomerAsync("Acme", null, null, "hang-key");

        Assert.Equal("cus_1", customer.Id);
        Assert.Equal(["hang-key", "hang-key"], transport.Keys);
        Assert.Single(_clock.Delays);
    }

    [Fact]
    public async Task Does_surface_the_last_timeout_as_a_network_error()
    {
        var transport = new HangsOnceHandler(hangs: 3);
        using var client = new StripeClient(new StripeOptions { ApiKey = "sk_test_x", RequestTimeout = TimeSpan.FromMilliseconds(100), MaxRetries = 2 },
            _clock, transport: transport);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetCustomerAsync("cus_1"));

        Assert.Contains("did not answer", ex.Message);
        Assert.Equal(3, transport.Keys.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Does_refuse_a_timeout_that_is_not_positive(int ms)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new StripeClient(new StripeOptions { ApiKey = "sk_test_x", RequestTimeout = TimeSpan.FromMilliseconds(ms) }));
        Assert.Contains("RequestTimeout", ex.Message);
    }

    private sealed class HangsOnceHandler(int hangs = 1) : HttpMessageHandler
    {
        private int _calls;

        public List<string?> Keys { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            lock (Keys) Keys.Add(request.Headers.TryGetValues("Idempotency-Key", out var k) ? k.Single() : null);
            if (Interlocked.Increment(ref _calls) <= hangs) await Task.Delay(Timeout.Infinite, ct);
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"id":"cus_1","object":"customer","name":"Acme","metadata":{}}""", Encoding.UTF8, "application/json"),
            };
        }
    }
}
