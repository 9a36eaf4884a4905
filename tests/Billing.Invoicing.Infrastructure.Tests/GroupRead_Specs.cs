using Billing.Testing;
using Dapper;

namespace Billing.Invoicing.Infrastructure.Tests;

/// <summary>The generator's group read: many accounts read in one round trip, each request answered with its own data.</summary>
public sealed class When_the_inputs_of_many_accounts_are_read_together : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync("groupread");
    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Does_give_each_account_its_own_usage_charges_and_existing_invoice()
    {
        var eur = await Catalogue.PlanAsync(_db.DataSource, "eur", "EUR", 1500, ("api_calls", 0.5m), ("sms", 0.25m));
        var jpy = await Catalogue.PlanAsync(_db.DataSource, "jpy", "JPY", 900, ("api_calls", 2m));
        var accounts = Enumerable.Range(0, 300).Select(i => new TestAccount(Guid.NewGuid(), i % 3 == 0 ? jpy : eur, i % 20,
            i % 4 == 0 ? [] : new Dictionary<string, decimal> { ["api_calls"] = 10 + i, ["sms"] = i },
            i % 5 == 0 ? [(1m + i, 12.5m)] : [])).ToList();
        await Catalogue.InsertAsync(_db.DataSource, accounts, "2026-10");
        // Usage of another period and an invoice already stored must not leak into the answers.
        await using (var conn = await _db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("""
                insert into usage_records (account_id, period, metric, quantity, occurred_at, idempotency_key)
                select id, '2026-09', 'api_calls', 1000000, '2026-09-15', gen_random_uuid()::text from accounts
                """);
            await conn.ExecuteAsync("""
                insert into invoices (id, account_id, period, issuer, number, currency, subtotal_minor, tax_rate, tax_minor, total_minor, due_at)
                values (@id, @account, '2026-10', 'default', 'INV-2026-000001', 'EUR', 100, 0, 0, 100, '2026-11-30')
                """, new { id = Guid.NewGuid(), account = accounts[7].Id });
        }

        await using var loader = new BillingInputLoader(_db.DataSource, maxBatch: 64);
        var missing = Guid.NewGuid();
        var requests = accounts.Select(a => (a.Id, Task: loader.LoadAsync(a.Id, "2026-10", CancellationToken.None)))
            .Append((Id: missing, Task: loader.LoadAsync(missing, "2026-10", CancellationToken.None)))
            .Append((Id: accounts[1].Id, Task: loader.LoadAsync(accounts[1].Id, "2026-09", CancellationToken.None)))
            .ToList();
        await Task.WhenAll(requests.Select(r => r.Task));

        for (var i = 0; i < accounts.Count; i++)
        {
            var a = accounts[i];
            var input = await requests[i].Task;
            Assert.True(input.AccountFound);
            Assert.Equal(a.Plan.Id, input.CurrentPlan!.PlanId);
            Assert.Equal(a.Plan.Currency, input.CurrentPlan.Currency);
            Assert.Equal(new DateOnly(2026, 10, 1), input.BillingStartsOn);
            Assert.Equal(a.TaxRate, input.TaxRate);
            Assert.Equal(a.Usage.Where(u => u.Value != 0).OrderBy(u => u.Key), input.UsageByMetric.Where(u => u.Value != 0).OrderBy(u => u.Key));
            Assert.Equal(a.Charges.Select(c => (c.Qty, c.Price)), input.Charges.Select(c => (c.Quantity, c.UnitPrice)));
            if (i == 7) Assert.Equal("INV-2026-000001", input.Existing?.Number);
            else Assert.Null(input.Existing);
        }
        var notFound = await requests[^2].Task;
        Assert.False(notFound.AccountFound);
        Assert.Empty(notFound.Usage);
        var september = await requests[^1].Task;
        Assert.True(september.AccountFound);
        Assert.Equal(1000000m, september.UsageByMetric["api_calls"]);
        Assert.False(september.UsageByMetric.ContainsKey("sms"));
    }

    [Fact]
    public async Task Does_fail_each_request_of_a_batch_that_cannot_be_read_and_then_keep_serving()
    {
        await using var loader = new BillingInputLoader(_db.DataSource);
        await using (var conn = await _db.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("alter table usage_records rename to usage_records_away");
        var failing = Enumerable.Range(0, 5).Select(_ => loader.LoadAsync(Guid.NewGuid(), "2026-10", CancellationToken.None)).ToList();
        foreach (var t in failing) await Assert.ThrowsAsync<Npgsql.PostgresException>(() => t);

        await using (var conn = await _db.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("alter table usage_records_away rename to usage_records");
        var after = await loader.LoadAsync(Guid.NewGuid(), "2026-10", CancellationToken.None);
        Assert.False(after.AccountFound);
    }
}
