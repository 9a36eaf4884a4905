using System.Diagnostics;
using Billing.Stripe;
using Billing.Testing;
using Billing.Testing.FakeStripe;
using Dapper;
using Xunit.Abstractions;

namespace Billing.Invoicing.Infrastructure.Tests;

/// <summary>
/// Stripe__RequestsPerSecond is one budget for the whole deployment: four invoice-generator processes pushing one run
/// together stay within it at the fake Stripe server, counted per wall-clock second, and push every invoice once.
/// </summary>
public sealed class When_four_generators_push_to_stripe_on_one_budget(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Accounts = 60;
    private const int Budget = 25;
    private FakeStripeServer stripe = null!;
    private RunHarness h = null!;

    public async Task InitializeAsync()
    {
        // The fake Stripe server runs in this process and stamps each request as it handles it: enough threads from
        // the start that a request is stamped when it arrives, not when a starved thread pool gets to it.
        ThreadPool.GetMinThreads(out var w, out var io);
        ThreadPool.SetMinThreads(Math.Max(w, 64), Math.Max(io, 64));
        stripe = await FakeStripeServer.StartNewAsync();
        h = await RunHarness.StartAsync("stripebudget", new Dictionary<string, string?>
        {
            ["Stripe__ApiKey"] = stripe.ApiKey,
            ["Stripe__BaseUrl"] = stripe.BaseUrl,
            ["Stripe__RequestsPerSecond"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, generators: 4);
        var plan = await Catalogue.PlanAsync(h.Db.DataSource, "pro", "EUR", 2500, ("api_calls", 0.01m), ("seats", 4m));
        var accounts = Enumerable.Range(0, Accounts).Select(i => new TestAccount(Guid.NewGuid(), plan, 19m,
            new Dictionary<string, decimal> { ["api_calls"] = 1_000 + i, ["seats"] = 1 + i % 3 }, [])).ToList();
        await Catalogue.InsertAsync(h.Db.DataSource, accounts, RunHarness.Period);
    }

    public async Task DisposeAsync()
    {
        await h.DisposeAsync();
        await stripe.DisposeAsync();
    }

    [Fact]
    public async Task Does_never_send_more_than_the_budget_in_any_second_and_pushes_every_invoice_once()
    {
        // The fake handles its first requests slowly (its code is not compiled yet) and stamps them when it gets to
        // them, which would look like a burst: a few requests warm it first, and only the run's are counted.
        using (var warm = new HttpClient { BaseAddress = new Uri(stripe.BaseUrl) })
        {
            warm.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", stripe.ApiKey);
            warm.DefaultRequestHeaders.Add("Stripe-Version", FakeStripeServer.ApiVersion);
            await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => warm.GetAsync("/v1/invoices/in_warm_up")));
        }
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        await h.StartRunAsync();
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        await Eventually.Until(() => conn.ExecuteScalarAsync<int>("select count(*) from invoices where stripe_pushed_at is not null"),
            n => n == Accounts, TimeSpan.FromMinutes(4));
        var elapsed = clock.Elapsed;

        var requests = stripe.Requests.Where(r => r.ReceivedAt >= started).ToList();
        var perSecond = requests.GroupBy(r => r.ReceivedAt.ToUnixTimeSeconds()).Select(g => g.Count()).ToList();
        var first = requests.Min(r => r.ReceivedAt);
        var last = requests.Max(r => r.ReceivedAt);
        output.WriteLine($"{requests.Count} requests for {Accounts} invoices from 4 generators in {(last - first).TotalSeconds:0.0} s " +
                         $"(run {elapsed.TotalSeconds:0.0} s); most in one second {perSecond.Max()}, budget {Budget}; " +
                         $"per second: {string.Join(' ', perSecond)}");
        Assert.True(perSecond.Max() <= Budget, $"{perSecond.Max()} requests reached Stripe in one second, over the budget of {Budget}");
        // The budget was what limited the pushes: the seconds in the middle were full or nearly.
        Assert.True(perSecond.Max() >= Budget * 3 / 4, $"at most {perSecond.Max()} requests in a second: the pushes never met the budget");
        Assert.True((last - first).TotalSeconds >= requests.Count / (double)Budget - 1.5,
            $"{requests.Count} requests in {(last - first).TotalSeconds:0.0} s is faster than {Budget}/s");

        // Every invoice reached Stripe once, each with its own customer.
        var ids = (await conn.QueryAsync<Guid>("select id from invoices")).Select(i => i.ToString()).Order().ToList();
        Assert.Equal(Accounts, ids.Count);
        Assert.Equal(ids, stripe.Invoices.Select(i => i.Metadata["invoice_id"]).Order().ToList());
        Assert.All(stripe.Invoices, i => Assert.Equal("open", i.Status));
        Assert.Equal(Accounts, stripe.Customers.Count);
        Assert.Equal(Accounts, requests.Count(r => r.Method == "POST" && r.Path == "/v1/invoices"));
        // Four processes consumed the push queue.
        var queue = await h.Vhost.QueueAsync("push-invoice-to-stripe");
        Assert.Equal(4, queue!.Value.GetProperty("consumers").GetInt32());
    }
}

/// <summary>take_rate_slot itself: many connections at once never get more slots in a second than the budget.</summary>
public sealed class When_slots_are_taken_from_one_budget : IAsyncLifetime
{
    private TestDatabase db = null!;

    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync("ratebudget");

    public async Task DisposeAsync() => await db.DisposeAsync();

    [Fact]
    public async Task Does_hand_out_at_most_the_budget_per_second_in_the_first_part_of_each_second()
    {
        const int budget = 50, workers = 8, each = 25;
        var slots = new System.Collections.Concurrent.ConcurrentBag<double>();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            await using var conn = await db.DataSource.OpenConnectionAsync();
            for (var i = 0; i < each; i++)
            {
                // The slot's time on the database's clock: the wait it was given plus the clock read right after the
                // function returned (the function reads it once it holds the row, so this is at most a few µs late).
                slots.Add(await conn.ExecuteScalarAsync<double>("""
                    with w as materialized (select take_rate_slot('stripe', @budget, @spread) as wait)
                    select extract(epoch from clock_timestamp()) + wait from w
                    """, new { budget, spread = StripeRequestBudget.Spread }));
            }
        }));
        // To the millisecond: the outer clock_timestamp() is read a few microseconds after the function's own.
        var times = slots.Select(t => Math.Round(t, 3)).Order().ToList();
        Assert.Equal(workers * each, times.Count);
        Assert.All(times.GroupBy(t => Math.Floor(t)), g => Assert.True(g.Count() <= budget, $"{g.Count()} slots in second {g.Key}"));
        Assert.All(times, t => Assert.True(t - Math.Floor(t) < StripeRequestBudget.Spread + 1e-6, $"slot at {t - Math.Floor(t):0.000} s into its second"));
        // 200 slots at 50 a second span about three seconds after the first.
        Assert.True(times[^1] - times[0] >= 2.5, $"200 slots within {times[^1] - times[0]:0.00} s");
        // Another budget's row is its own: its first slot is now, though 'stripe' is taken seconds ahead. (Spread 1: a
        // second's one slot may start anywhere in it, so the answer does not depend on when in the second this runs.)
        await using var c = await db.DataSource.OpenConnectionAsync();
        Assert.True(await c.ExecuteScalarAsync<double>("select take_rate_slot('other', 1, 1.0)") <= 0);
    }

    [Theory]
    [InlineData(0, 0.75)]
    [InlineData(-1, 0.75)]
    [InlineData(10, 0)]
    [InlineData(10, 1.5)]
    public async Task Does_refuse_a_budget_below_one_or_a_spread_outside_the_second(int perSecond, double spread)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var ex = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            conn.ExecuteScalarAsync<double>("select take_rate_slot('stripe', @perSecond, @spread)", new { perSecond, spread }));
        Assert.Contains("per_second must be at least 1", ex.MessageText);
    }
}

/// <summary>A Stripe budget that is not a whole number from 1 to 10,000 stops a service at start, naming the setting.</summary>
public sealed class When_the_stripe_budget_is_set_wrong
{
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var value in new[] { "0", "-5", "2.5", "abc", "10001" })
        {
            data.Add("invoice-generator", "Billing.InvoiceGenerator", value);
            data.Add("admin-api", "Billing.AdminApi", value);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Does_refuse_to_start_with_exit_code_2_and_one_line_naming_it(string folder, string assembly, string value)
    {
        await using var service = ServiceProcess.Start(folder, assembly, new Dictionary<string, string?>
        {
            // Nothing is reached: the setting is refused before the database or the broker is.
            ["Postgres__ConnectionString"] = "Host=127.0.0.1;Port=1;Username=none;Password=none;Database=none",
            ["RabbitMq__Url"] = "amqp://guest:guest@127.0.0.1:1/",
            ["Stripe__ApiKey"] = FakeStripeServer.DefaultApiKey,
            ["Stripe__BaseUrl"] = "http://127.0.0.1:1",
            ["Stripe__RequestsPerSecond"] = value,
        });
        var code = await service.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 2, $"exit code {code}:\n{service.Output}");
        Assert.Contains("Stripe__RequestsPerSecond", service.Output);
        Assert.DoesNotContain("   at ", service.Output);
    }

    [Fact]
    public void Does_refuse_a_budget_object_below_one_request_per_second()
    {
        using var dataSource = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Port=1");
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new StripeRequestBudget(dataSource, 0));
        Assert.Contains("Stripe__RequestsPerSecond", ex.Message);
    }
}
