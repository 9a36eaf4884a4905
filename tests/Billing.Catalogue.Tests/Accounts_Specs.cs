using System.Text.Json;

namespace Billing.Catalogue.Tests;

public sealed class When_accounts_are_created(CatalogueFixture fixture) : IClassFixture<CatalogueFixture>, IAsyncLifetime
{
    private readonly CatalogueApi api = fixture.Api;

    public async Task InitializeAsync()
    {
        if ((await api.GetAsync("/api/plans/std")).Status == 404)
        {
            await api.CreatePlanAsync("std");
            await api.CreatePlanAsync("yen", "JPY");
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static Dictionary<string, object?> Account(string name = "Acme GmbH", string? plan = "std") => new()
    {
        ["name"] = name, ["billing_email"] = "ap@acme.example", ["plan"] = plan, ["currency"] = "EUR", ["tax_rate"] = "19.5",
        ["address"] = new Dictionary<string, object?> { ["line1"] = "Hauptstr. 1", ["line2"] = "3. OG", ["city"] = "Berlin", ["postal_code"] = "10115", ["country"] = "DE" },
        ["stripe_customer_id"] = "cus_123", ["issuer"] = "eu",
    };

    [Fact]
    public async Task Reads_back_what_was_created()
    {
        var body = Account();
        body["external_ref"] = "crm-42";
        var (status, created, _) = await api.PostAsync("/api/accounts", body);
        Assert.Equal(201, status);
        var id = created.GetProperty("id").GetGuid();

        var (ok, account) = await api.GetAsync($"/api/accounts/{id}", api.Viewer);
        Assert.Equal(200, ok);
        Assert.Equal("Acme GmbH", account.GetProperty("name").GetString());
        Assert.Equal("ap@acme.example", account.GetProperty("billing_email").GetString());
        Assert.Equal("std", account.GetProperty("plan_code").GetString());
        Assert.Equal("EUR", account.GetProperty("currency").GetString());
        Assert.Equal("19.5", account.GetProperty("tax_rate").GetString());
        Assert.Equal("cus_123", account.GetProperty("stripe_customer_id").GetString());
        Assert.Equal("crm-42", account.GetProperty("external_ref").GetString());
        Assert.Equal("eu", account.GetProperty("issuer").GetString());
        Assert.Equal("3. OG", account.GetProperty("address").GetProperty("line2").GetString());
        Assert.Equal("10115", account.GetProperty("address").GetProperty("postal_code").GetString());
        Assert.Equal(19.5m, await api.ScalarAsync<decimal>("select tax_rate from accounts where id = @id", new { id }));
    }

    [Fact]
    public async Task Takes_the_plans_currency_when_none_is_given_and_finds_the_plan_by_id()
    {
        var (_, plan) = await api.GetAsync("/api/plans/yen");
        var body = Account("Tanaka KK", plan.GetProperty("id").GetString());
        body.Remove("currency");
        body.Remove("tax_rate");
        var (status, created, _) = await api.PostAsync("/api/accounts", body);
        Assert.Equal(201, status);
        Assert.Equal("JPY", created.GetProperty("currency").GetString());
        Assert.Equal("0", created.GetProperty("tax_rate").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not an email at all")]
    public async Task Stores_any_billing_email_string_for_the_mailer_to_judge(string email)
    {
        var body = Account("Odd Mail Ltd");
        body["billing_email"] = email;
        var (status, created, _) = await api.PostAsync("/api/accounts", body);
        Assert.Equal(201, status);
        Assert.Equal(email, await api.ScalarAsync<string>("select billing_email from accounts where id = @id", new { id = created.GetProperty("id").GetGuid() }));
    }

    public static TheoryData<string, string, object?, string> BadAccounts => new()
    {
        { "currency differs from the plan's", "currency", "USD", "currency" },
        { "unknown currency", "currency", "EURO", "currency" },
        { "unknown plan", "plan", "gold", "plan" },
        { "missing email", "billing_email", null, "billing_email" },
        { "missing name", "name", null, "name" },
        { "negative tax rate", "tax_rate", "-1", "tax_rate" },
        { "tax rate of 100", "tax_rate", 100, "tax_rate" },
        { "non-numeric tax rate", "tax_rate", "nineteen", "tax_rate" },
        { "missing address", "address", null, "address" },
        { "bad country", "address", new { line1 = "x", city = "y", postal_code = "1", country = "Germany" }, "address.country" },
        { "address without line1", "address", new { city = "y", postal_code = "1", country = "DE" }, "address.line1" },
        { "issuer with spaces", "issuer", "my issuer", "issuer" },
        { "billing start not a date", "billing_starts_on", "2026-13-01", "billing_starts_on" },
        { "billing start with a time", "billing_starts_on", "2026-11-01T00:00:00Z", "billing_starts_on" },
        { "billing start as a number", "billing_starts_on", 20261101, "billing_starts_on" },
        { "billing start in year 1", "billing_starts_on", "0001-01-01", "billing_starts_on" },
        { "billing end not a date", "billing_ends_on", "31.12.2026", "billing_ends_on" },
        // No start given: the account starts today, so yesterday cannot be its last day.
        { "billing end before the default start", "billing_ends_on", DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd"), "billing_ends_on" },
    };

    [Fact]
    public async Task Bills_from_the_day_of_creation_unless_a_billing_start_is_given()
    {
        var (status, created, _) = await api.PostAsync("/api/accounts", Account("Today Ltd"));
        Assert.Equal(201, status);
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd"), created.GetProperty("billing_starts_on").GetString());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("billing_ends_on").ValueKind);

        var body = Account("Dated Ltd");
        var start = DateTime.UtcNow.AddMonths(-3).ToString("yyyy-MM-dd");
        var end = DateTime.UtcNow.AddMonths(2).ToString("yyyy-MM-dd");
        body["billing_starts_on"] = start;
        body["billing_ends_on"] = end;
        (status, created, _) = await api.PostAsync("/api/accounts", body);
        Assert.Equal(201, status);
        var (_, account) = await api.GetAsync($"/api/accounts/{created.GetProperty("id").GetGuid()}");
        Assert.Equal(start, account.GetProperty("billing_starts_on").GetString());
        Assert.Equal(end, account.GetProperty("billing_ends_on").GetString());
    }

    [Fact]
    public async Task Refuses_a_billing_end_before_the_billing_start()
    {
        var body = Account("Backwards Ltd");
        body["billing_starts_on"] = "2026-11-12";
        body["billing_ends_on"] = "2026-11-11";
        var before = await api.SnapshotAsync();
        var message = ProblemAssert.NamesField(400, await api.PostAsync("/api/accounts", body), "billing_ends_on");
        Assert.Contains("before the billing start 2026-11-12", message);
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Theory, MemberData(nameof(BadAccounts))]
    public async Task Refuses_bad_input_naming_the_field_and_writes_nothing(string because, string property, object? value, string field)
    {
        _ = because;
        var body = Account("Bad Input AG");
        body[property] = value;
        var before = await api.SnapshotAsync();
        var message = ProblemAssert.NamesField(400, await api.PostAsync("/api/accounts", body), field);
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Refuses_a_taken_external_ref_with_409()
    {
        await api.CreateAccountAsync("std", "First", "crm-dup");
        var before = await api.SnapshotAsync();
        var body = Account("Second");
        body["external_ref"] = "crm-dup";
        ProblemAssert.NamesField(409, await api.PostAsync("/api/accounts", body), "external_ref");
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Answers_404_for_unknown_ids()
    {
        Assert.Equal(404, (await api.GetAsync($"/api/accounts/{Guid.NewGuid()}")).Status);
        Assert.Equal(404, (await api.GetAsync("/api/accounts/not-a-uuid")).Status);
    }

    [Fact]
    public async Task Pages_through_a_plan_with_keyset_pagination()
    {
        await api.CreatePlanAsync("paged");
        var ids = new List<Guid>();
        for (var i = 0; i < 7; i++) ids.Add(await api.CreateAccountAsync("paged", $"Paged {i}"));

        var seen = new List<Guid>();
        string? after = null;
        var pages = 0;
        do
        {
            var (status, page) = await api.GetAsync($"/api/accounts?plan=paged&limit=3{(after is null ? "" : "&after=" + after)}", api.Viewer);
            Assert.Equal(200, status);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetGuid()));
            after = page.GetProperty("next_after").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next_after").GetString();
            pages++;
        } while (after is not null);

        Assert.Equal(3, pages);
        // Every account once, in id order (UUIDv7: creation order to the millisecond).
        Assert.Equal(ids.Order(), seen.Order());
        Assert.Equal(seen.OrderBy(id => id.ToString(), StringComparer.Ordinal), seen);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("after=xyz", "after")]
    [InlineData("plan=nope", "plan")]
    public async Task Refuses_a_bad_listing_query_naming_the_parameter(string query, string field)
    {
        var response = await api.Operator.GetAsync($"/api/accounts?{query}");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        ProblemAssert.NamesField(400, ((int)response.StatusCode, json, response.Content.Headers.ContentType?.MediaType ?? ""), field);
    }
}

public sealed class When_accounts_are_loaded_in_a_batch(CatalogueFixture fixture) : IClassFixture<CatalogueFixture>, IAsyncLifetime
{
    private readonly CatalogueApi api = fixture.Api;

    public async Task InitializeAsync()
    {
        if ((await api.GetAsync("/api/plans/batch")).Status == 404) await api.CreatePlanAsync("batch");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static List<Dictionary<string, object?>> Accounts(int count, string prefix) =>
        Enumerable.Range(0, count).Select(i => new Dictionary<string, object?>
        {
            ["name"] = $"{prefix} {i}", ["billing_email"] = $"billing+{i}@{prefix}.example", ["plan"] = "batch", ["tax_rate"] = 20,
            ["address"] = new { line1 = $"{i} Main St", city = "Leeds", postal_code = "LS1 1AA", country = "GB" },
            ["external_ref"] = $"{prefix}-{i}",
        }).ToList();

    [Fact]
    public async Task Creates_a_thousand_accounts_in_one_request()
    {
        var (status, result, _) = await api.PostAsync("/api/accounts/batch", new { accounts = Accounts(1000, "bulk") });
        Assert.Equal(201, status);
        Assert.Equal(1000, result.GetProperty("created").GetInt32());
        Assert.Equal(1000, await api.ScalarAsync<long>("select count(*) from accounts where external_ref like 'bulk-%'"));
        var first = result.GetProperty("accounts")[0].GetProperty("id").GetGuid();
        var (_, account) = await api.GetAsync($"/api/accounts/{first}");
        Assert.Equal("bulk 0", account.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Writes_none_when_one_account_is_bad_and_names_it()
    {
        var accounts = Accounts(50, "bad");
        accounts[3]["billing_email"] = null;
        accounts[17]["plan"] = "no-such-plan";
        var before = await api.SnapshotAsync();
        var response = await api.PostAsync("/api/accounts/batch", new { accounts });
        ProblemAssert.NamesField(400, response, "accounts[3].billing_email");
        Assert.Equal(before, await api.SnapshotAsync());

        accounts[3]["billing_email"] = "fixed@bad.example";
        ProblemAssert.NamesField(400, await api.PostAsync("/api/accounts/batch", new { accounts }), "accounts[17].plan");
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Writes_none_when_an_external_ref_repeats_or_is_taken()
    {
        var accounts = Accounts(10, "refs");
        accounts[9]["external_ref"] = "refs-2";
        var before = await api.SnapshotAsync();
        Assert.Contains("accounts[2]", ProblemAssert.NamesField(400, await api.PostAsync("/api/accounts/batch", new { accounts }), "accounts[9].external_ref"));

        await api.CreateAccountAsync("batch", "Existing", "refs-taken");
        before = await api.SnapshotAsync();
        accounts[9]["external_ref"] = "refs-taken";
        ProblemAssert.NamesField(409, await api.PostAsync("/api/accounts/batch", new { accounts }), "accounts[9].external_ref");
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Refuses_an_empty_batch()
    {
        ProblemAssert.NamesField(400, await api.PostAsync("/api/accounts/batch", new { accounts = Array.Empty<object>() }), "accounts");
        ProblemAssert.NamesField(400, await api.PostAsync("/api/accounts/batch", CatalogueApi.Body("{}")), "accounts");
    }
}
