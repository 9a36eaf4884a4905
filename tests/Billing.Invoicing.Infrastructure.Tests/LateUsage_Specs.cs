using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Contracts;
using Billing.Invoicing;
using Billing.Testing;
using Dapper;

namespace Billing.Invoicing.Infrastructure.Tests;

/// <summary>
/// Usage for a month already invoiced arrives late: accepted, billed once on the account's next invoice as its own line
/// priced across the tier boundary from what was invoiced, and never again on a redelivered request or a rerun.
/// </summary>
public sealed class When_usage_arrives_after_its_month_was_invoiced : IAsyncLifetime
{
    // Two months that have ended, computed from the clock.
    private static readonly BillingPeriod Earlier = BillingPeriod.Previous(DateTimeOffset.UtcNow).Before();
    private static readonly BillingPeriod Later = BillingPeriod.Previous(DateTimeOffset.UtcNow);
    private const long BaseFee = 1500;
    private RunHarness h = null!;
    private readonly Dictionary<string, Guid> ids = [];

    public async Task InitializeAsync()
    {
        h = await RunHarness.StartAsync("lateusage");
        // Graduated: the first 1,000 calls at 0.10, the rest at 0.04 plus a 2.00 flat fee once a call falls there.
        await Catalogue.PlanRawAsync(h.Db.DataSource, Guid.NewGuid(), "tiered", "EUR", BaseFee,
            """[{"metric":"api_calls","description":"API calls","model":"graduated","tiers":[{"up_to":1000,"unit_price":"0.10"},{"up_to":null,"unit_price":"0.04","flat_fee":"2.00"}]}]""");
        await Catalogue.PlanRawAsync(h.Db.DataSource, Guid.NewGuid(), "tiered-jpy", "JPY", 900,
            """[{"metric":"api_calls","description":"API calls","model":"graduated","tiers":[{"up_to":1000,"unit_price":"3"},{"up_to":null,"unit_price":"1"}]}]""");
        foreach (var (name, plan) in new[] { ("eur", "tiered"), ("jpy", "tiered-jpy") })
        {
            var response = await h.Http.PostAsJsonAsync("/api/accounts", new Dictionary<string, object?>
            {
                ["name"] = name, ["billing_email"] = $"{name}@example.test", ["plan"] = plan, ["tax_rate"] = "19",
                ["address"] = new { line1 = "1 Main Street", city = "Berlin", postal_code = "10115", country = "DE" },
                ["billing_starts_on"] = Earlier.FirstDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            });
            var json = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, json);
            ids[name] = JsonDocument.Parse(json).RootElement.GetProperty("id").GetGuid();
        }
    }

    public async Task DisposeAsync() => await h.DisposeAsync();

    private async Task<JsonElement> UsageAsync(params (Guid Account, BillingPeriod Month, int Day, decimal Quantity, string Key)[] records)
    {
        var response = await h.Http.PostAsJsonAsync("/api/usage", new
        {
            records = records.Select(r => new
            {
                account_id = r.Account, metric = "api_calls", quantity = r.Quantity, idempotency_key = r.Key,
                occurred_at = r.Month.Start.AddDays(r.Day - 1).AddHours(9).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            }).ToArray(),
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    // Graduated tiers written out: 0–1,000 at p1, above at p2 plus the flat fee once a unit falls there.
    private static decimal Price(decimal q, decimal p1, decimal p2, decimal flat) =>
        Math.Min(q, 1000) * p1 + (q > 1000 ? (q - 1000) * p2 + flat : 0);

    private static long R(decimal v) => (long)Math.Round(v, 0, MidpointRounding.AwayFromZero);

    [Fact]
    public async Task Does_bill_it_once_on_the_next_invoice_with_tiers_counted_from_what_was_invoiced()
    {
        var eur = ids["eur"];
        var jpy = ids["jpy"];
        await UsageAsync((eur, Earlier, 5, 900m, "e-on-time"), (jpy, Earlier, 5, 990m, "j-on-time"));
        var first = await h.StartRunAsync(Earlier.ToString());
        await h.UntilSettledAsync(first, 2);

        // Late for the invoiced month: 300 more calls, crossing the tier boundary at 1,000 (and 20 for JPY, also crossing it).
        var answer = await UsageAsync((eur, Earlier, 20, 200m, "e-late-1"), (eur, Earlier, 28, 100m, "e-late-2"), (jpy, Earlier, 21, 20m, "j-late"),
            (eur, Later, 3, 40m, "e-next"), (jpy, Later, 3, 7m, "j-next"));
        var late = answer.GetProperty("late").EnumerateArray().ToList();
        Assert.Equal(["e-late-1", "e-late-2", "j-late"], late.Select(l => l.GetProperty("idempotency_key").GetString()).Order());
        Assert.All(late, l => Assert.Equal(Earlier.ToString(), l.GetProperty("period").GetString()));
        Assert.All(late, l => Assert.Equal("next invoice", l.GetProperty("billed_with").GetString()));

        // A redelivered request for the invoiced month changes nothing: the late usage is not added to it.
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        var earlierTotal = await conn.ExecuteScalarAsync<long>("select total_minor from invoices where account_id = @eur", new { eur });
        var finalized = h.Observed.Finalized.Count;
        await h.Bus.Publish(new GenerateInvoice(first, eur, Earlier.ToString()));
        await Eventually.UntilValue(() => h.Observed.Finalized.Count, n => n > finalized, TimeSpan.FromMinutes(1));
        Assert.Equal(earlierTotal, await conn.ExecuteScalarAsync<long>("select total_minor from invoices where account_id = @eur", new { eur }));
        Assert.Equal(0L, await conn.ExecuteScalarAsync<long>("select count(*) from usage_records where billed_invoice_id is not null"));

        var second = await h.StartRunAsync(Later.ToString());
        await h.UntilSettledAsync(second, 2);
        var label = Earlier.FirstDay.ToString("MMM yyyy", CultureInfo.InvariantCulture);
        foreach (var (account, quantity, invoiced, onTime, p1, p2, flat, factor, baseFee) in new[]
        {
            (eur, 300m, 900m, 40m, 0.10m, 0.04m, 2.00m, 100m, BaseFee),
            (jpy, 20m, 990m, 7m, 3m, 1m, 0m, 1m, 900L),
        })
        {
            var invoice = await conn.QuerySingleAsync<(Guid Id, long Total)>(
                "select id, total_minor from invoices where account_id = @account and period = @period", new { account, period = Later.ToString() });
            var lines = (await conn.QueryAsync<(string Kind, string Description, decimal Quantity, long Amount)>(
                "select kind, description, quantity, amount_minor from invoice_lines where invoice_id = @id and kind <> 'tier' order by line_no", new { id = invoice.Id })).ToList();
            // What the month's plan charges for everything recorded, minus what its invoice charged.
            var lateAmount = R(Price(invoiced + quantity, p1, p2, flat) * factor) - R(Price(invoiced, p1, p2, flat) * factor);
            var expected = new List<(string, string, decimal, long)>
            {
                ("base_fee", "tiered" + (factor == 1m ? "-jpy" : "") + " base fee", 1m, baseFee),
                ("usage", "API calls", onTime, R(Price(onTime, p1, p2, flat) * factor)),
                ("usage", $"API calls for {label}, received after invoicing", quantity, lateAmount),
            };
            Assert.Equal(expected, lines);
            var subtotal = expected.Sum(l => l.Item4);
            Assert.Equal(subtotal + R(subtotal * 0.19m), invoice.Total);
            Assert.Equal(account == eur ? 2 : 1, await conn.ExecuteScalarAsync<long>(
                "select count(*) from usage_records where billed_invoice_id = @id", new { id = invoice.Id }));
        }

        // Redelivered requests for the next month and a rerun bill nothing again.
        finalized = h.Observed.Finalized.Count;
        await h.Bus.Publish(new GenerateInvoice(second, eur, Later.ToString()));
        await h.Bus.Publish(new GenerateInvoice(second, eur, Later.ToString()));
        await Eventually.UntilValue(() => h.Observed.Finalized.Count, n => n >= finalized + 2, TimeSpan.FromMinutes(1));
        var rerun = await h.Http.PostAsJsonAsync("/api/runs", new { period = Later.ToString() });
        Assert.Equal(System.Net.HttpStatusCode.Conflict, rerun.StatusCode);
        Assert.Equal(4L, await conn.ExecuteScalarAsync<long>("select count(*) from invoices"));
        // One late line per account (the two EUR records of the month share theirs).
        Assert.Equal(2L, await conn.ExecuteScalarAsync<long>("select count(*) from invoice_lines where description like '%received after invoicing'"));
        Assert.Equal(0L, await conn.ExecuteScalarAsync<long>("select count(*) from usage_records where late and billed_invoice_id is null"));
    }
}
