using Billing.Testing.FakeStripe;

namespace Billing.Stripe.Tests;

public sealed class When_requests_exceed_the_rate_limit
{
    private readonly AutoAdvancingTimeProvider _clock = new();

    [Fact]
    public async Task Does_let_one_second_of_burst_through_and_space_the_rest()
    {
        var limiter = new StripeRateLimiter(25, _clock);

        for (var i = 0; i < 30; i++) await limiter.AcquireAsync();

        // 25 tokens in the bucket, then one token every 40 ms.
        Assert.Equal(5, _clock.Delays.Count);
        Assert.All(_clock.Delays, d => Assert.Equal(TimeSpan.FromMilliseconds(40), d));
    }

    [Fact]
    public async Task Does_never_grant_more_than_the_rate_in_any_second_after_the_burst()
    {
        var limiter = new StripeRateLimiter(10, _clock);
        var grantedAt = new List<DateTimeOffset>();

        for (var i = 0; i < 50; i++)
        {
            await limiter.AcquireAsync();
            grantedAt.Add(_clock.GetUtcNow());
        }

        // The first 10 are the burst; from then on any one-second window holds at most 10 grants.
        var steady = grantedAt.Skip(10).ToList();
        foreach (var start in steady)
            Assert.True(steady.Count(t => t >= start && t < start + TimeSpan.FromSeconds(1)) <= 10);
        Assert.Equal(TimeSpan.FromSeconds(4), grantedAt[^1] - grantedAt[0]);
    }

    [Fact]
    public async Task Does_refill_the_bucket_while_idle()
    {
        var limiter = new StripeRateLimiter(5, _clock);
        for (var i = 0; i < 5; i++) await limiter.AcquireAsync();

        _clock.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 5; i++) await limiter.AcquireAsync();

        Assert.Empty(_clock.Delays);
    }

    [Fact]
    public async Task Does_share_one_bucket_across_all_calls_of_a_client()
    {
        await using var server = await FakeStripeServer.StartNewAsync();
        var options = server.ClientOptions();
        options.RequestsPerSecond = 4;
        using var client = new StripeClient(options, _clock);
        var customer = await client.CreateCustomerAsync("Acme", null, null, "k");

        await Task.WhenAll(Enumerable.Range(0, 7).Select(_ => client.GetCustomerAsync(customer.Id)));

        // 8 calls at 4/s: the burst of 4 passes, the other 4 each wait for a token.
        Assert.Equal(4, _clock.Delays.Count);
        Assert.Equal(8, server.Requests.Count);
    }

    [Fact]
    public async Task Does_share_a_limiter_passed_to_several_clients()
    {
        await using var server = await FakeStripeServer.StartNewAsync();
        var limiter = new StripeRateLimiter(2, _clock);
        using var first = new StripeClient(server.ClientOptions(), _clock, limiter);
        using var second = new StripeClient(server.ClientOptions(), _clock, limiter);

        for (var i = 0; i < 2; i++)
        {
            await first.SearchInvoicesByMetadataAsync("k", "v");
            await second.SearchInvoicesByMetadataAsync("k", "v");
        }

        // Each client alone would stay within its own burst of 25; together they drain the shared 2/s bucket.
        Assert.Equal(2, _clock.Delays.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    public void Does_reject_a_rate_that_is_not_positive(double rate)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StripeRateLimiter(rate, _clock));
    }

    [Fact]
    public async Task Does_not_wait_for_a_cancelled_caller()
    {
        var limiter = new StripeRateLimiter(1, _clock);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => limiter.AcquireAsync(cts.Token).AsTask());
        await limiter.AcquireAsync();

        Assert.Empty(_clock.Delays);
    }
}
