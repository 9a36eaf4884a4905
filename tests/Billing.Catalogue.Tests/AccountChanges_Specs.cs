using System.Globalization;
using System.Text.Json;

namespace Billing.Catalogue.Tests;

/// <summary>PATCH /api/accounts/{id}, its history, and ending an account. Dates are computed from today: the account
/// started four months ago, last month is invoiced, this month is open.</summary>
public sealed class When_an_account_is_changed(CatalogueFixture fixture) : IClassFixture<CatalogueFixture>, IAsyncLifetime
{
    private readonly CatalogueApi api = fixture.Api;
    private static readonly DateTime ThisMonth = new(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime LastMonth = ThisMonth.AddMonths(-1);
    private static readonly DateTime Start = ThisMonth.AddMonths(-4).AddDays(4);

    private static string Day(DateTime d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public async Task InitializeAsync()
    {
        if ((await api.GetAsync("/api/plans/chg-a")).Status == 404)
        {
            await api.CreatePlanAsync("chg-a");
            await api.CreatePlanAsync("chg-b");
            await api.CreatePlanAsync("chg-yen", "JPY");
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>An account billed since <see cref="Start"/> whose last month is invoiced.</summary>
    private async Task<Guid> InvoicedAccountAsync(string name)
    {
        var (status, created, _) = await api.PostAsync("/api/accounts", new Dictionary<string, object?>
        {
            ["name"] = name, ["billing_email"] = "old@acme.example", ["plan"] = "chg-a", ["tax_rate"] = "19",
            ["address"] = new { line1 = "Hauptstr. 1", city = "Berlin", postal_code = "10115", country = "DE" },
            ["billing_starts_on"] = Day(Start),
        });
        Assert.True(status == 201, created.ToString());
        var id = created.GetProperty("id").GetGuid();
        await api.ExecuteAsync("""
            insert into invoices (id, account_id, period, issuer, number, currency, subtotal_minor, tax_rate, tax_minor, total_minor, due_at)
            values (gen_random_uuid(), @id, @period, 'default', 'INV-TEST-' || @id::text, 'EUR', 4900, 19, 931, 5831, current_date + 30)
            """, new { id, period = LastMonth.ToString("yyyy-MM", CultureInfo.InvariantCulture) });
        return id;
    }

    [Fact]
    public async Task Does_apply_the_changes_and_list_each_in_the_history_with_the_keys_name()
    {
        var id = await InvoicedAccountAsync("Changing GmbH");
        var (status, account, _) = await api.PatchAsync($"/api/accounts/{id}", new Dictionary<string, object?>
        {
            ["billing_email"] = "new@acme.example", ["tax_rate"] = "7.5", ["stripe_customer_id"] = "cus_new",
            ["address"] = new { line1 = "Neue Str. 9", city = "Hamburg", postal_code = "20095", country = "DE" },
        });
        Assert.True(status == 200, account.ToString());
        Assert.Equal("new@acme.example", account.GetProperty("billing_email").GetString());
        Assert.Equal("7.5", account.GetProperty("tax_rate").GetString());
        Assert.Equal("Hamburg", account.GetProperty("address").GetProperty("city").GetString());
        Assert.Equal("new@acme.example", await api.ScalarAsync<string>("select billing_email from accounts where id = @id", new { id }));

        // The same values again change nothing and add no history.
        Assert.Equal(200, (await api.PatchAsync($"/api/accounts/{id}", new { billing_email = "new@acme.example" })).Status);

        var (ok, history) = await api.GetAsync($"/api/accounts/{id}/history", api.Viewer);
        Assert.Equal(200, ok);
        var items = history.GetProperty("items").EnumerateArray()
            .Select(h => (By: h.GetProperty("changed_by").GetString(), Field: h.GetProperty("field").GetString(),
                Old: h.GetProperty("old_value").GetString(), New: h.GetProperty("new_value").GetString())).ToList();
        Assert.Equal(4, items.Count);
        Assert.All(items, h => Assert.Equal("ops", h.By));
        Assert.Contains(("ops", "billing_email", "old@acme.example", "new@acme.example"), items);
        Assert.Contains(("ops", "tax_rate", "19", "7.5"), items);
        Assert.Contains(("ops", "stripe_customer_id", (string?)null, "cus_new"), items);
        Assert.Contains(items, h => h.Field == "address" && h.Old!.Contains("Berlin") && h.New!.Contains("Hamburg"));
    }

    [Fact]
    public async Task Does_schedule_a_plan_change_and_an_end_in_the_open_month()
    {
        var id = await InvoicedAccountAsync("Moving AG");
        var effective = Day(ThisMonth.AddDays(11));
        var (status, account, _) = await api.PatchAsync($"/api/accounts/{id}", new { plan_code = "chg-b", plan_effective_on = effective });
        Assert.True(status == 200, account.ToString());
        Assert.Equal("chg-b", account.GetProperty("plan_code").GetString());
        Assert.Equal(2, await api.ScalarAsync<long>("select count(*) from account_plans where account_id = @id", new { id }));

        var end = Day(ThisMonth.AddMonths(1).AddDays(-1));
        (status, account, _) = await api.PatchAsync($"/api/accounts/{id}", new { billing_ends_on = end });
        Assert.True(status == 200, account.ToString());
        Assert.Equal(end, account.GetProperty("billing_ends_on").GetString());

        var (_, history) = await api.GetAsync($"/api/accounts/{id}/history");
        var fields = history.GetProperty("items").EnumerateArray().Select(h => (h.GetProperty("field").GetString(), h.GetProperty("new_value").GetString())).ToList();
        Assert.Equal([("plan", $"chg-b from {effective}"), ("billing_ends_on", end)], fields);
    }

    public static TheoryData<string, string, string> BadChanges => new()
    {
        { "malformed end", """{"billing_ends_on":"2026-02-30"}""", "billing_ends_on" },
        { "end as a number", """{"billing_ends_on":20261231}""", "billing_ends_on" },
        { "plan without its day", """{"plan_code":"chg-b"}""", "plan_effective_on" },
        { "day without a plan", """{"plan_effective_on":"2030-01-01"}""", "plan_effective_on" },
        { "malformed plan day", """{"plan_code":"chg-b","plan_effective_on":"next week"}""", "plan_effective_on" },
        { "unknown plan", """{"plan_code":"gold","plan_effective_on":"2030-01-01"}""", "plan_code" },
        { "plan id not a UUID", """{"plan_id":"chg-b","plan_effective_on":"2030-01-01"}""", "plan_id" },
        { "plan in another currency", """{"plan_code":"chg-yen","plan_effective_on":"2030-01-01"}""", "plan_code" },
        { "unknown field", """{"colour":"blue"}""", "colour" },
        { "name as a number", """{"name":42}""", "name" },
        { "empty name", """{"name":" "}""", "name" },
        { "tax rate not a number", """{"tax_rate":"nineteen"}""", "tax_rate" },
        { "tax rate of 100", """{"tax_rate":100}""", "tax_rate" },
        { "bad country", """{"address":{"line1":"x","city":"y","postal_code":"1","country":"Germany"}}""", "address.country" },
        { "address with an unknown field", """{"address":{"line1":"x","city":"y","postal_code":"1","country":"DE","floor":3}}""", "address.floor" },
        { "nothing to change", "{}", "body" },
        { "not an object", "[1]", "body" },
        { "not JSON", "{\"name\":", "body" },
    };

    [Theory, MemberData(nameof(BadChanges))]
    public async Task Refuses_bad_input_naming_the_field_and_writes_nothing(string because, string json, string field)
    {
        _ = because;
        var id = await InvoicedAccountAsync($"Bad {because}");
        var before = await api.SnapshotAsync();
        var message = ProblemAssert.NamesField(400, await api.PatchAsync($"/api/accounts/{id}", CatalogueApi.Body(json)), field);
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Refuses_changes_into_an_invoiced_month_or_before_the_start_with_409_and_writes_nothing()
    {
        var id = await InvoicedAccountAsync("Closed Month KG");
        await api.CreateAccountAsync("chg-a", "Taken Ref", "chg-taken");
        var before = await api.SnapshotAsync();
        var path = $"/api/accounts/{id}";

        var message = ProblemAssert.NamesField(409, await api.PatchAsync(path, new { plan_code = "chg-b", plan_effective_on = Day(LastMonth.AddDays(11)) }), "plan_effective_on");
        Assert.Contains(LastMonth.ToString("yyyy-MM"), message);
        Assert.Contains($"from {Day(ThisMonth)} on", message);
        ProblemAssert.NamesField(409, await api.PatchAsync(path, new { billing_ends_on = Day(LastMonth.AddDays(14)) }), "billing_ends_on");
        ProblemAssert.NamesField(409, await api.PatchAsync(path, new { billing_ends_on = Day(Start.AddDays(-1)) }), "billing_ends_on");
        ProblemAssert.NamesField(409, await api.PatchAsync(path, new { plan_code = "chg-b", plan_effective_on = Day(Start.AddDays(-3)) }), "plan_effective_on");
        ProblemAssert.NamesField(409, await api.PatchAsync(path, new { external_ref = "chg-taken" }), "external_ref");
        // Ending on the last day of the invoiced month changes nothing that was invoiced: allowed, but not here.
        Assert.Equal(before, await api.SnapshotAsync());

        var (status, account, _) = await api.PatchAsync(path, new { billing_ends_on = Day(ThisMonth.AddDays(-1)) });
        Assert.True(status == 200, account.ToString());
    }

    [Fact]
    public async Task Answers_404_for_an_unknown_account_and_writes_nothing()
    {
        var before = await api.SnapshotAsync();
        Assert.Equal(404, (await api.PatchAsync($"/api/accounts/{Guid.NewGuid()}", new { name = "Ghost" })).Status);
        Assert.Equal(404, (await api.PatchAsync("/api/accounts/not-a-uuid", new { name = "Ghost" })).Status);
        Assert.Equal(404, (await api.GetAsync($"/api/accounts/{Guid.NewGuid()}/history")).Status);
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Refuses_a_viewer_key()
    {
        var id = await InvoicedAccountAsync("Read Only Ltd");
        Assert.Equal(403, (await api.PatchAsync($"/api/accounts/{id}", new { name = "Nope" }, api.Viewer)).Status);
    }

    [Fact]
    public async Task Does_change_end_and_show_the_history_through_the_cli()
    {
        var id = (await InvoicedAccountAsync("Cli Change SA")).ToString();
        var update = await api.CliAsync(CatalogueApi.OperatorKey, "accounts", "update", id, "--email", "cli@acme.example", "--city", "Köln", "--postal-code", "50667");
        Assert.True(update.ExitCode == 0, update.Stderr);
        var (_, account) = await api.GetAsync($"/api/accounts/{id}");
        Assert.Equal("cli@acme.example", account.GetProperty("billing_email").GetString());
        Assert.Equal("Köln", account.GetProperty("address").GetProperty("city").GetString());
        Assert.Equal("Hauptstr. 1", account.GetProperty("address").GetProperty("line1").GetString());

        var end = Day(ThisMonth.AddDays(20));
        var ended = await api.CliAsync(CatalogueApi.OperatorKey, "accounts", "end", id, "--on", end);
        Assert.True(ended.ExitCode == 0, ended.Stderr);
        Assert.Contains($"through {end}", ended.Stdout);

        var history = await api.CliAsync(CatalogueApi.ViewerKey, "accounts", "history", id);
        Assert.True(history.ExitCode == 0, history.Stderr);
        Assert.Contains("billing_email", history.Stdout);
        Assert.Contains("cli@acme.example", history.Stdout);
        Assert.Contains("ops", history.Stdout);
        Assert.Contains(end, history.Stdout);

        // The API's validation and messages, one line, exit code 1; nothing written.
        var before = await api.SnapshotAsync();
        var bad = await api.CliAsync(CatalogueApi.OperatorKey, "accounts", "end", id, "--on", "2026-02-30");
        Assert.Equal(1, bad.ExitCode);
        Assert.Equal("billing: HTTP 400: One or more validation errors occurred. — Not valid: billing_ends_on — billing_ends_on: must be a date written yyyy-MM-dd, such as \"2026-11-12\"", bad.Stderr.TrimEnd());
        var early = await api.CliAsync(CatalogueApi.OperatorKey, "accounts", "end", id, "--on", Day(Start.AddDays(-1)));
        Assert.Equal(1, early.ExitCode);
        Assert.Contains("billing_ends_on", early.Stderr);
        Assert.Contains("before the account's billing start", early.Stderr);
        var nothing = await api.CliAsync(CatalogueApi.OperatorKey, "accounts", "update", id);
        Assert.Equal(2, nothing.ExitCode);
        Assert.Equal(before, await api.SnapshotAsync());

        var help = await api.CliAsync(CatalogueApi.OperatorKey, "accounts", "update", "--help");
        Assert.Contains("--effective-on", help.Stdout);
        Assert.Contains("billing accounts update 0193f2a4-… --plan growth --effective-on 2026-11-12", help.Stdout);
    }
}
