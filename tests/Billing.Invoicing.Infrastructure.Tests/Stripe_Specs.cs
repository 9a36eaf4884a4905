using Billing.Contracts;
using Billing.Testing;
using Billing.Testing.FakeStripe;
using Dapper;

namespace Billing.Invoicing.Infrastructure.Tests;

/// <summary>The Stripe push against the fake Stripe server: ids stored, 429s absorbed, repeats and outages without duplicates.</summary>
public sealed class When_invoices_are_pushed_to_stripe : IAsyncLifetime
{
    private const int Accounts = 12;
    private FakeStripeServer stripe = null!;
    private RunHarness h = null!;
    private List<TestAccount> accounts = null!;

    public async Task InitializeAsync()
    {
        stripe = await FakeStripeServer.StartNewAsync();
        h = await RunHarness.StartAsync("runstripe", new Dictionary<string, string?>
        {
            ["Stripe__ApiKey"] = stripe.ApiKey,
            ["Stripe__BaseUrl"] = stripe.BaseUrl,
            ["Stripe__RequestsPerSecond"] = "200",
            ["Stripe__MaxRetries"] = "2",
            ["Stripe__InitialRetryDelay"] = "00:00:00.050",
            ["Stripe__MaxRetryDelay"] = "00:00:00.200",
            ["Invoicing__PaymentTermDays"] = "21",
        });
        var plan = await Catalogue.PlanAsync(h.Db.DataSource, "pro", "EUR", 2500, ("api_calls", 0.01m), ("seats", 4m));
        accounts = Enumerable.Range(0, Accounts).Select(i => new TestAccount(Guid.NewGuid(), plan, 19m,
            new Dictionary<string, decimal> { ["api_calls"] = 12_345 + i, ["seats"] = 1 + i % 4 }, [])).ToList();
        // Billed from September: the outage below hits the run for 2026-09.
        await Catalogue.InsertAsync(h.Db.DataSource, accounts, RunHarness.Period, billedFrom: "2026-09");
    }

    public async Task DisposeAsync()
    {
        await h.DisposeAsync();
        await stripe.DisposeAsync();
    }

    [Fact]
    public async Task Does_store_stripe_ids_once_per_invoice_through_429s_repeats_and_an_outage()
    {
        stripe.FailNext(3, 429);
        var runId = await h.StartRunAsync();
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        await Eventually.Until(() => conn.ExecuteScalarAsync<int>("select count(*) from invoices where stripe_pushed_at is not null"),
            n => n == Accounts, TimeSpan.FromMinutes(2));
        var rows = (await conn.QueryAsync<(Guid Id, Guid AccountId, long Total, string StripeInvoice, string StripeCustomer, DateTime IssuedAt, DateTime DueAt)>(
            "select id, account_id, total_minor, stripe_invoice_id, stripe_customer_id, issued_at, due_at::timestamp from invoices")).ToList();
        Assert.Equal(Accounts, stripe.Invoices.Count);
        foreach (var row in rows)
        {
            var remote = Assert.Single(stripe.Invoices, i => i.Id == row.StripeInvoice);
            Assert.Equal("open", remote.Status);
            Assert.Equal(row.Total, remote.Total);
            Assert.Equal(row.StripeCustomer, remote.Customer);
            // One payment term: due 21 days after issue (the generator's setting), and Stripe gets that same date.
            Assert.Equal(row.IssuedAt.ToUniversalTime().Date.AddDays(21), row.DueAt);
            Assert.Equal(new DateTimeOffset(row.DueAt, TimeSpan.Zero).ToUnixTimeSeconds(), remote.DueDate);
            Assert.Null(remote.DaysUntilDue);
            Assert.Equal(Catalogue.ExpectedTotal(accounts.Single(a => a.Id == row.AccountId)), row.Total);
        }
        var customers = (await conn.QueryAsync<string?>("select stripe_customer_id from accounts")).ToList();
        Assert.All(customers, c => Assert.StartsWith("cus_", c));
        Assert.Equal(Accounts, stripe.Customers.Count);
        var p = await h.ProgressAsync(runId);
        Assert.Equal(Accounts, RunHarness.Count(p, "pushed_to_stripe"));

        // The push is repeated after our write of the result was lost: the same Stripe objects are found again.
        var items = stripe.InvoiceItems.Count;
        await conn.ExecuteAsync("update invoices set stripe_pushed_at = null, stripe_invoice_id = null");
        foreach (var f in h.Observed.Finalized.DistinctBy(f => f.InvoiceId).ToList()) await h.Bus.Publish(f);
        await Eventually.Until(() => conn.ExecuteScalarAsync<int>("select count(*) from invoices where stripe_pushed_at is not null"),
            n => n == Accounts, TimeSpan.FromMinutes(2));
        Assert.Equal(Accounts, stripe.Invoices.Count);
        Assert.Equal(items, stripe.InvoiceItems.Count);
        Assert.Equal(rows.Select(r => r.StripeInvoice).Order(), (await conn.QueryAsync<string>("select stripe_invoice_id from invoices")).Order());

        // An outage: every push of the next period fails for good and is recorded as a stripe failure…
        stripe.FailNext(100_000, 503);
        var second = await h.StartRunAsync("2026-09");
        var failing = await Eventually.Until(() => h.ProgressAsync(second, failed: true),
            pr => RunHarness.Count(pr, "failed") == Accounts, TimeSpan.FromMinutes(3));
        Assert.All(failing.GetProperty("failures").EnumerateArray(), f =>
        {
            Assert.Equal("stripe", f.GetProperty("stage").GetString());
            Assert.Equal("push-invoice-to-stripe", f.GetProperty("queue").GetString());
        });
        Assert.Equal(Accounts, RunHarness.Count(failing, "generated"));
        // Only the push is dead-lettered (the management API's counts lag a little).
        await Eventually.Until(() => h.Vhost.QueueAsync("push-invoice-to-stripe_error"),
            q => q is { } e && e.TryGetProperty("messages", out var n) && n.GetInt32() == Accounts, TimeSpan.FromMinutes(1));
        Assert.Null(await h.Vhost.QueueAsync("generate-invoice_error"));

        // …and retried once Stripe is back: one Stripe invoice each, nothing twice.
        stripe.ClearFailures();
        await h.Http.PostAsync($"/api/runs/{second}/retry-failed", null);
        await Eventually.Until(() => h.ProgressAsync(second), pr => RunHarness.Count(pr, "failed") == 0, TimeSpan.FromMinutes(2));
        Assert.Equal(2 * Accounts, stripe.Invoices.Count);
        Assert.Equal(2 * Accounts, await conn.ExecuteScalarAsync<int>("select count(distinct stripe_invoice_id) from invoices"));
        Assert.Equal(Accounts, stripe.Customers.Count);
    }
}
