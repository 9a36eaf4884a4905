using Dapper;
using Npgsql;

namespace Billing.Invoicing.Infrastructure.Tests;

public sealed record TestPlan(Guid Id, string Currency, long BaseFeeMinor, (string Metric, decimal UnitPrice)[] Components);

public sealed record TestAccount(Guid Id, TestPlan Plan, decimal TaxRate, Dictionary<string, decimal> Usage, List<(decimal Qty, decimal Price)> Charges);

/// <summary>Catalogue rows written straight into the tables of 0001_catalogue.sql (the catalogue API is another feature).</summary>
public static class Catalogue
{
    public static async Task<TestPlan> PlanAsync(NpgsqlDataSource db, string code, string currency, long baseFee,
        params (string Metric, decimal UnitPrice)[] components)
    {
        var plan = new TestPlan(Guid.NewGuid(), currency, baseFee, components);
        var json = "[" + string.Join(",", components.Select(c =>
            $$"""{"metric":"{{c.Metric}}","model":"per_unit","unit_price":"{{c.UnitPrice.ToString(System.Globalization.CultureInfo.InvariantCulture)}}"}""")) + "]";
        await PlanRawAsync(db, plan.Id, code, currency, baseFee, json);
        return plan;
    }

    public static async Task PlanRawAsync(NpgsqlDataSource db, Guid id, string code, string currency, long baseFee, string componentsJson)
    {
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("insert into plans (id, code, name, currency, base_fee_minor, components) values (@id, @code, @code, @currency, @baseFee, @componentsJson::jsonb)",
            new { id, code, currency, baseFee, componentsJson });
    }

    /// <summary>Accounts billed from the first day of the period (or of <paramref name="billedFrom"/>), usage (split
    /// over two records per metric) and charges in a few set-based statements.</summary>
    public static async Task InsertAsync(NpgsqlDataSource db, IReadOnlyList<TestAccount> accounts, string period, string? externalRefPrefix = null,
        string? billedFrom = null)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("""
            insert into accounts (id, external_ref, name, billing_email, currency, plan_id, tax_rate, billing_starts_on, address)
            select a.id, @prefix || a.id::text, 'Account ' || a.id::text, 'billing+' || a.id::text || '@example.test', a.currency, a.plan_id, a.tax_rate, @start::date,
                   -- an address as the API stores it: every account created through it has one
                   '{"line1":"Hauptstr. 1","city":"Berlin","postal_code":"10115","country":"DE"}'::jsonb
            from unnest(@ids, @currencies, @plans, @taxes) as a(id, currency, plan_id, tax_rate)
            """, new
        {
            prefix = externalRefPrefix ?? "acct-",
            start = Billing.Testing.BillingStart.Of(billedFrom ?? period).ToDateTime(TimeOnly.MinValue),
            ids = accounts.Select(a => a.Id).ToArray(),
            currencies = accounts.Select(a => a.Plan.Currency).ToArray(),
            plans = accounts.Select(a => a.Plan.Id).ToArray(),
            taxes = accounts.Select(a => a.TaxRate).ToArray(),
        }, tx);
        var usage = accounts.SelectMany(a => a.Usage.SelectMany(u =>
        {
            var first = Math.Floor(u.Value / 2);
            return new[] { (a.Id, u.Key, first), (a.Id, u.Key, u.Value - first) };
        })).ToList();
        await conn.ExecuteAsync("""
            insert into usage_records (account_id, period, metric, quantity, occurred_at, idempotency_key)
            select u.account_id, @period, u.metric, u.quantity, @at, gen_random_uuid()::text
            from unnest(@accounts, @metrics, @quantities) as u(account_id, metric, quantity)
            """, new
        {
            period,
            at = DateTime.SpecifyKind(DateTime.Parse(period + "-15"), DateTimeKind.Utc),
            accounts = usage.Select(u => u.Item1).ToArray(),
            metrics = usage.Select(u => u.Item2).ToArray(),
            quantities = usage.Select(u => u.Item3).ToArray(),
        }, tx);
        var charges = accounts.SelectMany(a => a.Charges.Select(c => (a.Id, c.Qty, c.Price))).ToList();
        await conn.ExecuteAsync("""
            insert into charges (id, account_id, period, description, quantity, unit_price)
            select gen_random_uuid(), c.account_id, @period, 'Managed service job', c.quantity, c.unit_price
            from unnest(@accounts, @quantities, @prices) as c(account_id, quantity, unit_price)
            """, new
        {
            period,
            accounts = charges.Select(c => c.Item1).ToArray(),
            quantities = charges.Select(c => c.Qty).ToArray(),
            prices = charges.Select(c => c.Price).ToArray(),
        }, tx);
        await tx.CommitAsync();
    }

    /// <summary>
    /// The expected total computed here, independently of Billing.Invoicing: each line quantity × unit price in
    /// minor units rounded half away from zero; tax on the subtotal rounded the same way.
    /// </summary>
    public static long ExpectedTotal(TestAccount a)
    {
        var factor = a.Plan.Currency == "JPY" ? 1m : 100m;
        long Round(decimal v) => (long)Math.Round(v, 0, MidpointRounding.AwayFromZero);
        var subtotal = a.Plan.BaseFeeMinor;
        foreach (var (metric, price) in a.Plan.Components)
            if (a.Usage.TryGetValue(metric, out var qty)) subtotal += Round(qty * price * factor);
        foreach (var (qty, price) in a.Charges) subtotal += Round(qty * price * factor);
        return subtotal + Round(subtotal * a.TaxRate / 100m);
    }
}
