using Npgsql;
using NpgsqlTypes;

namespace Billing.Ledger.Infrastructure.Tests;

/// <summary>An invoice as seeded, with the amounts the test computes its expectations from.</summary>
public sealed record SeededInvoice(Guid Id, Guid RunId, Guid AccountId, string Period, string Number, string Currency, long SubtotalMinor, long TaxMinor, long TotalMinor);

/// <summary>
/// Writes plans, accounts, a run, invoices and invoice lines with COPY, the way the invoice generator leaves them:
/// a base fee, a usage line explained by two tier lines (kind 'tier', not part of the subtotal) and, for every third
/// invoice, a one-off charge. Tax is 20 % (USD) or 10 % (JPY) of the subtotal, rounded half away from zero.
/// </summary>
public static class InvoiceSeeder
{
    public static async Task<List<SeededInvoice>> SeedAsync(NpgsqlDataSource dataSource, int accounts, int invoicesPerAccount,
        string[] currencies, int seed, DateTimeOffset issuedAt)
    {
        var rng = new Random(seed);
        var runId = Guid.NewGuid();
        var plans = currencies.ToDictionary(c => c, _ => Guid.NewGuid());
        var accountRows = Enumerable.Range(0, accounts).Select(i => (Id: Guid.NewGuid(), Currency: currencies[i % currencies.Length])).ToList();
        var invoices = new List<SeededInvoice>();
        var lines = new List<(Guid Invoice, int No, string Kind, string? Component, string Description, decimal Quantity, decimal UnitPrice, long Amount, int? Parent)>();
        var number = 0;
        foreach (var account in accountRows)
        {
            for (var k = 0; k < invoicesPerAccount; k++)
            {
                var month = new DateOnly(2026, 10, 1).AddMonths(-k);
                var period = $"{month.Year:D4}-{month.Month:D2}";
                var id = Guid.NewGuid();
                var baseFee = rng.Next(1000, 5000);
                var usage = rng.Next(100, 10_000);
                var tier1 = usage / 3;
                var charge = ++number % 3 == 0 ? rng.Next(500, 3000) : 0;
                lines.Add((id, 1, "base_fee", null, "Platform fee", 1, baseFee, baseFee, null));
                lines.Add((id, 2, "usage", "api_calls", "API calls", usage, 1, usage, null));
                lines.Add((id, 3, "tier", "api_calls", "First tier", tier1, 1, tier1, 2));
                lines.Add((id, 4, "tier", "api_calls", "Second tier", usage - tier1, 1, usage - tier1, 2));
                if (charge > 0)
                    lines.Add((id, 5, "charge", null, "Managed service job", 1, charge, charge, null));
                long subtotal = baseFee + usage + charge;
                var ratePercent = account.Currency == "JPY" ? 10 : 20;
                var tax = (subtotal * ratePercent * 2 + 100) / 200; // half away from zero for positive amounts
                invoices.Add(new SeededInvoice(id, runId, account.Id, period, $"INV-{number:D7}", account.Currency, subtotal, tax, subtotal + tax));
            }
        }

        await using var conn = await dataSource.OpenConnectionAsync();
        await using (var w = await conn.BeginBinaryImportAsync("copy plans (id, code, name, currency, base_fee_minor) from stdin (format binary)"))
        {
            foreach (var (currency, id) in plans)
            {
                await w.StartRowAsync();
                await w.WriteAsync(id, NpgsqlDbType.Uuid);
                await w.WriteAsync($"plan-{currency}-{id:N}", NpgsqlDbType.Text);
                await w.WriteAsync($"Plan {currency}", NpgsqlDbType.Text);
                await w.WriteAsync(currency, NpgsqlDbType.Char);
                await w.WriteAsync(1000L, NpgsqlDbType.Bigint);
            }
            await w.CompleteAsync();
        }
        await using (var w = await conn.BeginBinaryImportAsync("copy accounts (id, name, billing_email, currency, plan_id, tax_rate) from stdin (format binary)"))
        {
            foreach (var a in accountRows)
            {
                await w.StartRowAsync();
                await w.WriteAsync(a.Id, NpgsqlDbType.Uuid);
                await w.WriteAsync($"Account {a.Id:N}", NpgsqlDbType.Text);
                await w.WriteAsync($"billing+{a.Id:N}@example.test", NpgsqlDbType.Text);
                await w.WriteAsync(a.Currency, NpgsqlDbType.Char);
                await w.WriteAsync(plans[a.Currency], NpgsqlDbType.Uuid);
                await w.WriteAsync(a.Currency == "JPY" ? 10m : 20m, NpgsqlDbType.Numeric);
            }
            await w.CompleteAsync();
        }
        await using (var cmd = new NpgsqlCommand("insert into invoice_runs (id, period) values (@id, '2026-10')", conn))
        {
            cmd.Parameters.AddWithValue("id", runId);
            await cmd.ExecuteNonQueryAsync();
        }
        await using (var w = await conn.BeginBinaryImportAsync(
            "copy invoices (id, run_id, account_id, period, issuer, number, currency, subtotal_minor, tax_rate, tax_minor, total_minor, issued_at, due_at) from stdin (format binary)"))
        {
            foreach (var i in invoices)
            {
                await w.StartRowAsync();
                await w.WriteAsync(i.Id, NpgsqlDbType.Uuid);
                await w.WriteAsync(i.RunId, NpgsqlDbType.Uuid);
                await w.WriteAsync(i.AccountId, NpgsqlDbType.Uuid);
                await w.WriteAsync(i.Period, NpgsqlDbType.Char);
                await w.WriteAsync("default", NpgsqlDbType.Text);
                await w.WriteAsync(i.Number, NpgsqlDbType.Text);
                await w.WriteAsync(i.Currency, NpgsqlDbType.Char);
                await w.WriteAsync(i.SubtotalMinor, NpgsqlDbType.Bigint);
                await w.WriteAsync(i.Currency == "JPY" ? 10m : 20m, NpgsqlDbType.Numeric);
                await w.WriteAsync(i.TaxMinor, NpgsqlDbType.Bigint);
                await w.WriteAsync(i.TotalMinor, NpgsqlDbType.Bigint);
                await w.WriteAsync(issuedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                await w.WriteAsync(DateOnly.FromDateTime(issuedAt.UtcDateTime).AddDays(30), NpgsqlDbType.Date);
            }
            await w.CompleteAsync();
        }
        await using (var w = await conn.BeginBinaryImportAsync(
            "copy invoice_lines (invoice_id, line_no, kind, component, description, quantity, unit_price, amount_minor, parent_line_no) from stdin (format binary)"))
        {
            foreach (var l in lines)
            {
                await w.StartRowAsync();
                await w.WriteAsync(l.Invoice, NpgsqlDbType.Uuid);
                await w.WriteAsync(l.No, NpgsqlDbType.Integer);
                await w.WriteAsync(l.Kind, NpgsqlDbType.Text);
                if (l.Component is null) await w.WriteNullAsync(); else await w.WriteAsync(l.Component, NpgsqlDbType.Text);
                await w.WriteAsync(l.Description, NpgsqlDbType.Text);
                await w.WriteAsync(l.Quantity, NpgsqlDbType.Numeric);
                await w.WriteAsync(l.UnitPrice, NpgsqlDbType.Numeric);
                await w.WriteAsync(l.Amount, NpgsqlDbType.Bigint);
                if (l.Parent is null) await w.WriteNullAsync(); else await w.WriteAsync(l.Parent.Value, NpgsqlDbType.Integer);
            }
            await w.CompleteAsync();
        }
        return invoices;
    }
}
