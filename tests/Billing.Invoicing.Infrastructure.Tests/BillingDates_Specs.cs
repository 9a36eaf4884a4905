using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Contracts;
using Billing.Invoicing;
using Billing.Testing;
using Dapper;

namespace Billing.Invoicing.Infrastructure.Tests;

/// <summary>
/// A run for last month over accounts whose billing starts and ends on different days, created through the API:
/// accounts that started later or ended earlier are not invoiced, partial months pay a base fee prorated by day.
/// </summary>
public sealed class When_accounts_start_and_end_inside_the_billed_month : IAsyncLifetime
{
    // Computed from the clock: the last month that has ended, and the days around it.
    private static readonly BillingPeriod Month = BillingPeriod.Previous(DateTimeOffset.UtcNow);
    private static readonly int Days = Month.DaysInMonth;

    private RunHarness h = null!;
    private TestPlan eur = null!, jpy = null!;
    private readonly Dictionary<string, (Guid Id, TestPlan Plan, DateOnly? Start, DateOnly? End, decimal Usage)> accounts = [];

    public async Task InitializeAsync()
    {
        h = await RunHarness.StartAsync("dates");
        eur = await Catalogue.PlanAsync(h.Db.DataSource, "growth", "EUR", 4999, ("api_calls", 0.0125m));
        jpy = await Catalogue.PlanAsync(h.Db.DataSource, "tokyo", "JPY", 3001, ("api_calls", 0.35m));
        var first = Month.FirstDay;
        await AddAsync("whole", eur, first, null, 1234);
        await AddAsync("starts-12th", eur, first.AddDays(11), null, 777);
        await AddAsync("ends-10th", eur, first.AddDays(-40), first.AddDays(9), 50);
        await AddAsync("one-day", eur, Month.LastDay, null, 0);
        await AddAsync("jpy-starts-12th", jpy, first.AddDays(11), null, 101);
        await AddAsync("jpy-3rd-to-20th", jpy, first.AddDays(2), first.AddDays(19), 3);
        await AddAsync("starts-next-month", eur, Month.Next().FirstDay.AddDays(1), null, 0);
        await AddAsync("ended-before", eur, Month.Before().FirstDay, Month.Before().LastDay, 0);
        await AddAsync("created-today", eur, null, null, 0);
    }

    private async Task AddAsync(string name, TestPlan plan, DateOnly? start, DateOnly? end, decimal usage)
    {
        var body = new Dictionary<string, object?>
        {
            ["name"] = name, ["billing_email"] = $"{name}@example.test", ["plan"] = plan == eur ? "growth" : "tokyo",
            ["address"] = new { line1 = "1 Main Street", city = "Berlin", postal_code = "10115", country = "DE" },
            ["tax_rate"] = "19",
        };
        if (start is { } s) body["billing_starts_on"] = s.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (end is { } e) body["billing_ends_on"] = e.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var response = await h.Http.PostAsJsonAsync("/api/accounts", body);
        var json = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, json);
        var account = JsonDocument.Parse(json).RootElement;
        var id = account.GetProperty("id").GetGuid();
        Assert.Equal((start ?? DateOnly.FromDateTime(DateTime.UtcNow)).ToString("yyyy-MM-dd"), account.GetProperty("billing_starts_on").GetString());
        accounts[name] = (id, plan, start, end, usage);
        if (usage > 0)
        {
            // Usage is billed as recorded, also on days outside the billed ones.
            var usageResponse = await h.Http.PostAsJsonAsync("/api/usage", new
            {
                records = new[] { new { account_id = id, metric = "api_calls", quantity = usage, occurred_at = Month.Start.AddDays(14).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), idempotency_key = $"u-{name}" } },
            });
            Assert.True(usageResponse.IsSuccessStatusCode, await usageResponse.Content.ReadAsStringAsync());
        }
    }

    public async Task DisposeAsync() => await h.DisposeAsync();

    private static long Round(decimal v) => (long)Math.Round(v, 0, MidpointRounding.AwayFromZero);

    /// <summary>The rules, computed here: base × days / days in month rounded half away from zero; usage; tax on the subtotal.</summary>
    private static (long BaseFee, int BilledDays, long Total) Expected(TestPlan plan, DateOnly? start, DateOnly? end, decimal usage)
    {
        var from = start is { } s && s > Month.FirstDay ? s : Month.FirstDay;
        var to = end is { } e && e < Month.LastDay ? e : Month.LastDay;
        var days = to.DayNumber - from.DayNumber + 1;
        var baseFee = Round(plan.BaseFeeMinor * (decimal)days / Days);
        var factor = plan.Currency == "JPY" ? 1m : 100m;
        var subtotal = baseFee + Round(usage * plan.Components[0].UnitPrice * factor);
        return (baseFee, days, subtotal + Round(subtotal * 19m / 100m));
    }

    [Fact]
    public async Task Does_invoice_only_the_accounts_billable_in_the_month_with_base_fees_prorated_by_day()
    {
        var billable = new[] { "whole", "starts-12th", "ends-10th", "one-day", "jpy-starts-12th", "jpy-3rd-to-20th" };
        var runId = await h.StartRunAsync(Month.ToString());
        var settled = await h.UntilSettledAsync(runId, billable.Length);
        Assert.Equal(billable.Length, RunHarness.Count(settled, "generated"));
        Assert.Equal(0, RunHarness.Count(settled, "failed"));

        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        var invoices = (await conn.QueryAsync<(Guid Id, Guid AccountId, long Total)>("select id, account_id, total_minor from invoices"))
            .ToDictionary(i => i.AccountId);
        Assert.Equal(billable.Order(), accounts.Where(a => invoices.ContainsKey(a.Value.Id)).Select(a => a.Key).Order());
        foreach (var name in billable)
        {
            var (id, plan, start, end, usage) = accounts[name];
            var (baseFee, days, total) = Expected(plan, start, end, usage);
            var invoice = invoices[id];
            Assert.True(total == invoice.Total, $"{name}: expected {total}, stored {invoice.Total}");
            var line = await conn.QuerySingleAsync<(string Description, long Amount)>(
                "select description, amount_minor from invoice_lines where invoice_id = @id and kind = 'base_fee'", new { id = invoice.Id });
            Assert.Equal(baseFee, line.Amount);
            var planName = plan == eur ? "growth" : "tokyo";
            if (days == Days) Assert.Equal($"{planName} base fee", line.Description);
            else
            {
                var from = start is { } s && s > Month.FirstDay ? s : Month.FirstDay;
                var to = end is { } e && e < Month.LastDay ? e : Month.LastDay;
                var monthYear = Month.FirstDay.ToString("MMM yyyy", CultureInfo.InvariantCulture);
                var range = from == to ? $"{from.Day} {monthYear}" : $"{from.Day}–{to.Day} {monthYear}";
                Assert.Equal($"{planName} base fee, {range} ({days} of {Days} days)", line.Description);
            }
        }

        // A request redelivered for an invoiced account still makes one invoice; one for an account that is not
        // billable in the month (a hand-made or stale request) is skipped and writes nothing.
        var skippedBefore = h.Observed.Skipped.Count;
        var finalizedBefore = h.Observed.Finalized.Count;
        var prorated = accounts["starts-12th"].Id;
        await h.Bus.Publish(new GenerateInvoice(runId, prorated, Month.ToString()));
        await h.Bus.Publish(new GenerateInvoice(runId, prorated, Month.ToString()));
        foreach (var name in new[] { "starts-next-month", "ended-before", "created-today" })
            await h.Bus.Publish(new GenerateInvoice(runId, accounts[name].Id, Month.ToString()));
        await Eventually.UntilValue(() => (h.Observed.Finalized.Count, h.Observed.Skipped.Count),
            n => n.Item1 >= finalizedBefore + 2 && n.Item2 >= skippedBefore + 3, TimeSpan.FromMinutes(2));
        Assert.All(h.Observed.Skipped.Skip(skippedBefore), s => Assert.Contains($"not billable in {Month}", s.Reason));
        Assert.Equal(billable.Length, await conn.ExecuteScalarAsync<int>("select count(*)::int from invoices"));
        Assert.Equal(invoices[prorated].Total, await conn.ExecuteScalarAsync<long>("select total_minor from invoices where account_id = @prorated", new { prorated }));
        Assert.Equal(billable.Length, await conn.ExecuteScalarAsync<int>("select next_value - 1 from invoice_number_sequences where issuer = 'default'"));
    }
}

/// <summary>
/// Accounts changed through PATCH before last month is run: a plan change on the 12th bills each plan's base fee for
/// its days and prices each usage record with the plan in force when it occurred, on one invoice; an account ended on
/// the 10th pays ten days. Afterwards the invoiced month can no longer be changed.
/// </summary>
public sealed class When_a_plan_changes_inside_the_billed_month : IAsyncLifetime
{
    private static readonly BillingPeriod Month = BillingPeriod.Previous(DateTimeOffset.UtcNow);
    private static readonly int Days = Month.DaysInMonth;
    private RunHarness h = null!;
    private readonly Dictionary<string, Guid> ids = [];

    public async Task InitializeAsync()
    {
        h = await RunHarness.StartAsync("planchange");
        await Catalogue.PlanAsync(h.Db.DataSource, "starter", "EUR", 1999, ("api_calls", 0.02m));
        await Catalogue.PlanAsync(h.Db.DataSource, "growth", "EUR", 4999, ("api_calls", 0.0125m));
        await Catalogue.PlanAsync(h.Db.DataSource, "tokyo-s", "JPY", 1001, ("api_calls", 0.35m));
        await Catalogue.PlanAsync(h.Db.DataSource, "tokyo-l", "JPY", 5003, ("api_calls", 0.2m));
        foreach (var (name, plan) in new[] { ("eur", "starter"), ("jpy", "tokyo-s"), ("ends", "starter") })
        {
            var response = await h.Http.PostAsJsonAsync("/api/accounts", new Dictionary<string, object?>
            {
                ["name"] = name, ["billing_email"] = $"{name}@example.test", ["plan"] = plan, ["tax_rate"] = "10",
                ["address"] = new { line1 = "1 Main Street", city = "Berlin", postal_code = "10115", country = "DE" },
                ["billing_starts_on"] = Month.Before().FirstDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            });
            var json = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, json);
            ids[name] = JsonDocument.Parse(json).RootElement.GetProperty("id").GetGuid();
        }
        var twelfth = Month.FirstDay.AddDays(11).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await PatchOkAsync(ids["eur"], new { plan_code = "growth", plan_effective_on = twelfth });
        await PatchOkAsync(ids["jpy"], new { plan_code = "tokyo-l", plan_effective_on = twelfth });
        await PatchOkAsync(ids["ends"], new { billing_ends_on = Month.FirstDay.AddDays(9).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });

        // Day 5 on the old plan, day 20 on the new one; usage after the end is billed as recorded.
        var records = ids.SelectMany(a => new[] { (a.Value, 5, 1000m), (a.Value, 20, 333m) }).Select(r => new
        {
            account_id = r.Item1, metric = "api_calls", quantity = r.Item3,
            occurred_at = Month.Start.AddDays(r.Item2 - 1).AddHours(12).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            idempotency_key = $"{r.Item1}-{r.Item2}",
        }).ToArray();
        var usage = await h.Http.PostAsJsonAsync("/api/usage", new { records });
        Assert.True(usage.IsSuccessStatusCode, await usage.Content.ReadAsStringAsync());
    }

    private async Task PatchOkAsync(Guid id, object body)
    {
        var response = await h.Http.PatchAsJsonAsync($"/api/accounts/{id}", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync() => await h.DisposeAsync();

    private static long R(decimal v) => (long)Math.Round(v, 0, MidpointRounding.AwayFromZero);
    private static long Prorated(long fee, int days) => R(fee * (decimal)days / Days);

    [Fact]
    public async Task Does_bill_each_plan_for_its_days_and_usage_at_the_plan_then_in_force_on_one_invoice()
    {
        var runId = await h.StartRunAsync(Month.ToString());
        await h.UntilSettledAsync(runId, 3);
        await using var conn = await h.Db.DataSource.OpenConnectionAsync();
        async Task<(long Total, List<(string Kind, string Description, long Amount)> Lines)> InvoiceOf(string name)
        {
            var invoice = await conn.QuerySingleAsync<(Guid Id, long Total)>("select id, total_minor from invoices where account_id = @id", new { id = ids[name] });
            var lines = (await conn.QueryAsync<(string, string, long)>(
                "select kind, description, amount_minor from invoice_lines where invoice_id = @id order by line_no", new { id = invoice.Id })).ToList();
            return (invoice.Total, lines);
        }
        var label = Month.FirstDay.ToString("MMM yyyy", CultureInfo.InvariantCulture);
        foreach (var (name, oldPlan, newPlan, oldFee, newFee, oldPrice, newPrice, factor) in new[]
        {
            ("eur", "starter", "growth", 1999L, 4999L, 0.02m, 0.0125m, 100m),
            ("jpy", "tokyo-s", "tokyo-l", 1001L, 5003L, 0.35m, 0.2m, 1m),
        })
        {
            var (total, lines) = await InvoiceOf(name);
            var expected = new List<(string, string, long)>
            {
                ("base_fee", $"{oldPlan} base fee, 1–11 {label} (11 of {Days} days)", Prorated(oldFee, 11)),
                ("usage", $"api_calls ({oldPlan}, 1–11 {label})", R(1000 * oldPrice * factor)),
                ("base_fee", $"{newPlan} base fee, 12–{Days} {label} ({Days - 11} of {Days} days)", Prorated(newFee, Days - 11)),
                ("usage", $"api_calls ({newPlan}, 12–{Days} {label})", R(333 * newPrice * factor)),
            };
            Assert.Equal(expected, lines);
            var subtotal = expected.Sum(l => l.Item3);
            Assert.Equal(subtotal + R(subtotal * 0.10m), total);
        }
        var (endsTotal, endsLines) = await InvoiceOf("ends");
        var endsSubtotal = Prorated(1999, 10) + R(1333 * 0.02m * 100);
        Assert.Equal(("base_fee", $"starter base fee, 1–10 {label} (10 of {Days} days)", Prorated(1999, 10)), endsLines[0]);
        Assert.Equal(endsSubtotal + R(endsSubtotal * 0.10m), endsTotal);

        // The month is invoiced now: a plan change or an end date inside it is refused and changes nothing.
        var before = await conn.QuerySingleAsync<string>("select md5(string_agg(t::text, '|' order by t::text)) from accounts t");
        var plansBefore = await conn.ExecuteScalarAsync<long>("select count(*) from account_plans");
        var refused = await h.Http.PatchAsJsonAsync($"/api/accounts/{ids["eur"]}", new { plan_code = "starter", plan_effective_on = Month.FirstDay.AddDays(20).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
        Assert.Equal(System.Net.HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("plan_effective_on", await refused.Content.ReadAsStringAsync());
        refused = await h.Http.PatchAsJsonAsync($"/api/accounts/{ids["jpy"]}", new { billing_ends_on = Month.FirstDay.AddDays(20).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
        Assert.Equal(System.Net.HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("billing_ends_on", await refused.Content.ReadAsStringAsync());
        Assert.Equal(before, await conn.QuerySingleAsync<string>("select md5(string_agg(t::text, '|' order by t::text)) from accounts t"));
        Assert.Equal(plansBefore, await conn.ExecuteScalarAsync<long>("select count(*) from account_plans"));
        Assert.Equal(0, await conn.ExecuteScalarAsync<long>("select count(*) from account_history where field = 'plan' and new_value like 'starter%'"));
    }
}
