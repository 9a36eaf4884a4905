using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Testing;

/// <summary>Accounts over three plans (two currencies, every pricing model) with usage, loaded with COPY; they are
/// billed from the first day of the period.</summary>
public static class Seed
{
    private static readonly (string Code, string Currency, long BaseFee, string Components)[] Plans =
    [
        ("starter", "EUR", 1500, """
            [{"metric":"api_calls","model":"per_unit","unit_price":"0.0005"},
             {"metric":"storage_gb","model":"graduated","tiers":[{"up_to":100,"unit_price":"0.10"},{"up_to":1000,"unit_price":"0.08","flat_fee":"5.00"},{"up_to":null,"unit_price":"0.05"}]},
             {"metric":"sms","model":"package","package_size":100,"package_price":"2.50"}]
            """),
        ("growth", "USD", 4900, """
            [{"metric":"api_calls","model":"volume","tiers":[{"up_to":100000,"unit_price":"0.0008"},{"up_to":null,"unit_price":"0.0004","flat_fee":"10.00"}]},
             {"metric":"storage_gb","model":"per_unit","unit_price":"0.021"},
             {"metric":"sms","model":"package","package_size":50,"package_price":"1.75"}]
            """),
        ("tokyo", "JPY", 3000, """
            [{"metric":"api_calls","model":"per_unit","unit_price":"0.05"},
             {"metric":"storage_gb","model":"graduated","tiers":[{"up_to":50,"unit_price":"10"},{"up_to":null,"unit_price":"8"}]},
             {"metric":"sms","model":"per_unit","unit_price":"3"}]
            """),
    ];

    public static async Task RunAsync(NpgsqlDataSource db, int accounts, string period)
    {
        await using var conn = await db.OpenConnectionAsync();
        var planIds = new List<(Guid Id, string Currency)>();
        foreach (var (code, currency, baseFee, components) in Plans)
        {
            var id = Guid.NewGuid();
            await conn.ExecuteAsync("""
                insert into plans (id, code, name, currency, base_fee_minor, components)
                values (@id, @code, @code, @currency, @baseFee, @components::jsonb)
                """, new { id, code, currency, baseFee, components });
            planIds.Add((id, currency));
        }
        var ids = Enumerable.Range(0, accounts).Select(_ => Guid.NewGuid()).ToArray();
        // A build from before accounts had a billing start (a benchmark's baseline) has no such column.
        var hasStart = await conn.ExecuteScalarAsync<bool>("""
            select exists (select 1 from information_schema.columns
                           where table_schema = current_schema() and table_name = 'accounts' and column_name = 'billing_starts_on')
            """);
        await using (var copy = await conn.BeginBinaryImportAsync(
            "copy accounts (id, name, billing_email, currency, plan_id, tax_rate, address" + (hasStart ? ", billing_starts_on" : "")
            + ") from stdin (format binary)"))
        {
            for (var i = 0; i < ids.Length; i++)
            {
                var (plan, currency) = planIds[i % planIds.Count];
                await copy.StartRowAsync();
                await copy.WriteAsync(ids[i], NpgsqlDbType.Uuid);
                await copy.WriteAsync($"Customer {i:D6} GmbH", NpgsqlDbType.Text);
                await copy.WriteAsync($"billing+{i}@example.test", NpgsqlDbType.Text);
                await copy.WriteAsync(currency, NpgsqlDbType.Char);
                await copy.WriteAsync(plan, NpgsqlDbType.Uuid);
                await copy.WriteAsync(currency == "JPY" ? 10m : 19m, NpgsqlDbType.Numeric);
                await copy.WriteAsync("""{"line1":"1 Main Street","city":"Berlin","postal_code":"10115","country":"DE"}""", NpgsqlDbType.Jsonb);
                if (hasStart)
                    await copy.WriteAsync(BillingStart.Of(period), NpgsqlDbType.Date);
            }
            await copy.CompleteAsync();
        }
        var random = new Random(42);
        var at = DateTime.SpecifyKind(DateTime.ParseExact(period + "-15", "yyyy-MM-dd", null), DateTimeKind.Utc);
        await using (var copy = await conn.BeginBinaryImportAsync(
            "copy usage_records (account_id, period, metric, quantity, occurred_at, idempotency_key) from stdin (format binary)"))
        {
            foreach (var id in ids)
                foreach (var (metric, max) in new[] { ("api_calls", 2_000_000), ("storage_gb", 5_000), ("sms", 10_000) })
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(id, NpgsqlDbType.Uuid);
                    await copy.WriteAsync(period, NpgsqlDbType.Char);
                    await copy.WriteAsync(metric, NpgsqlDbType.Text);
                    await copy.WriteAsync((decimal)random.Next(1, max), NpgsqlDbType.Numeric);
                    await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
                    await copy.WriteAsync($"{id:N}-{metric}", NpgsqlDbType.Text);
                }
            await copy.CompleteAsync();
        }
        await conn.ExecuteAsync("analyze accounts; analyze usage_records;");
    }
}
