using System.Text;
using System.Text.Json;
using Billing.Testing;

namespace Billing.Catalogue.Tests;

public sealed class When_the_cli_manages_the_catalogue(CatalogueFixture fixture) : IClassFixture<CatalogueFixture>, IAsyncLifetime
{
    private readonly CatalogueApi api = fixture.Api;
    private readonly string dir = Directory.CreateTempSubdirectory("billing-cli-").FullName;

    public async Task InitializeAsync()
    {
        if ((await api.GetAsync("/api/plans/cli-base")).Status == 404) await api.CreatePlanAsync("cli-base");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(dir, recursive: true);
        return Task.CompletedTask;
    }

    private Task<CliResult> Billing(params string[] args) => api.CliAsync(CatalogueApi.OperatorKey, args);

    private string File(string name, string content)
    {
        var path = Path.Combine(dir, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private static void AssertOneLineError(CliResult result, params string[] mentions)
    {
        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}; out: {result.Stdout}; err: {result.Stderr}");
        var line = result.Stderr.TrimEnd('\n', '\r');
        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("billing: ", line);
        foreach (var m in mentions) Assert.Contains(m, line);
    }

    [Fact]
    public async Task Creates_lists_and_shows_a_plan()
    {
        var file = File("plan.json", """
            {"code":"cli-tiered","name":"CLI tiered","currency":"EUR","base_fee_minor":1990,
             "components":[{"metric":"api_calls","model":"graduated","tiers":[{"up_to":100,"unit_price":"0.5"},{"up_to":null,"unit_price":"0.000000000025"}]}]}
            """);
        var created = await Billing("plans", "create", "--file", file);
        Assert.True(created.ExitCode == 0, created.Stderr);
        Assert.Contains("created plan cli-tiered", created.Stdout);

        var list = await Billing("plans", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("cli-tiered", list.Stdout);
        Assert.Contains("EUR 19.90", list.Stdout);

        var show = await Billing("plans", "show", "cli-tiered");
        Assert.Contains("0.000000000025", show.Stdout);
        Assert.Contains("graduated", show.Stdout);

        var json = await Billing("plans", "show", "cli-tiered", "--json");
        Assert.Equal("0.000000000025", JsonDocument.Parse(json.Stdout).RootElement.GetProperty("components")[0].GetProperty("tiers")[1].GetProperty("unit_price").GetString());
        var listJson = await Billing("plans", "list", "--json");
        Assert.Contains(JsonDocument.Parse(listJson.Stdout).RootElement.GetProperty("items").EnumerateArray(), p => p.GetProperty("code").GetString() == "cli-tiered");
    }

    [Fact]
    public async Task Reports_a_bad_plan_file_in_one_line_and_writes_nothing()
    {
        var before = await api.SnapshotAsync();
        AssertOneLineError(await Billing("plans", "create", "--file", File("bad-plan.json",
            """{"code":"cli-bad","name":"X","currency":"EUR","base_fee_minor":0,"components":[{"metric":"m","model":"volume","tiers":[{"up_to":10,"unit_price":"1"}]}]}""")),
            "HTTP 400", "components[0].tiers[0].up_to");
        AssertOneLineError(await Billing("plans", "create", "--file", File("broken.json", "{\"code\":")), "broken.json", "not valid JSON");
        AssertOneLineError(await Billing("plans", "create", "--file", Path.Combine(dir, "missing.json")), "missing.json");
        AssertOneLineError(await Billing("plans", "show", "no-such-plan"), "HTTP 404", "no-such-plan");
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Creates_lists_and_shows_accounts()
    {
        var created = await Billing("accounts", "create", "--name", "Terminal GmbH", "--email", "ap@terminal.example", "--plan", "cli-base",
            "--tax-rate", "7.5", "--line1", "Ring 5", "--city", "Hamburg", "--postal-code", "20095", "--country", "DE", "--external-ref", "cli-term", "--json");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var id = JsonDocument.Parse(created.Stdout).RootElement.GetProperty("id").GetString()!;

        var list = await Billing("accounts", "list", "--plan", "cli-base");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(id, list.Stdout);
        Assert.Contains("Terminal GmbH", list.Stdout);
        Assert.Contains("7.5", list.Stdout);

        var show = await Billing("accounts", "show", id);
        Assert.Contains("ap@terminal.example", show.Stdout);
        Assert.Contains("Hamburg", show.Stdout);
        Assert.Equal(id, JsonDocument.Parse((await Billing("accounts", "show", id, "--json")).Stdout).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Reports_bad_account_input_in_one_line_and_writes_nothing()
    {
        var before = await api.SnapshotAsync();
        AssertOneLineError(await Billing("accounts", "create", "--name", "X", "--email", "x@x.example", "--plan", "cli-base", "--currency", "USD",
            "--line1", "a", "--city", "b", "--postal-code", "c", "--country", "DE"), "HTTP 400", "currency");
        AssertOneLineError(await Billing("accounts", "create", "--name", "X", "--email", "x@x.example", "--plan", "gold",
            "--line1", "a", "--city", "b", "--postal-code", "c", "--country", "DE"), "plan", "gold");
        AssertOneLineError(await Billing("accounts", "show", Guid.NewGuid().ToString()), "HTTP 404");
        Assert.Equal(before, await api.SnapshotAsync());

        var missingOption = await Billing("accounts", "create", "--name", "X");
        Assert.NotEqual(0, missingOption.ExitCode);
        Assert.Contains("--plan", missingOption.Stderr + missingOption.Stdout);
    }

    [Fact]
    public async Task Imports_accounts_all_or_nothing()
    {
        string Accounts(string badEmail) => $$"""
            {"accounts":[
              {"name":"Imp 1","billing_email":"a@imp.example","plan":"cli-base","address":{"line1":"1","city":"Paris","postal_code":"75001","country":"FR"},"external_ref":"imp-1"},
              {"name":"Imp 2","billing_email":{{badEmail}},"plan":"cli-base","address":{"line1":"2","city":"Paris","postal_code":"75001","country":"FR"},"external_ref":"imp-2"},
              {"name":"Imp 3","billing_email":"c@imp.example","plan":"cli-base","address":{"line1":"3","city":"Paris","postal_code":"75001","country":"FR"},"external_ref":"imp-3"}]}
            """;
        var before = await api.SnapshotAsync();
        AssertOneLineError(await Billing("accounts", "import", "--file", File("bad-accounts.json", Accounts("null"))), "accounts[1].billing_email");
        Assert.Equal(before, await api.SnapshotAsync());

        var imported = await Billing("accounts", "import", "--file", File("accounts.json", Accounts("\"b@imp.example\"")));
        Assert.True(imported.ExitCode == 0, imported.Stderr);
        Assert.Contains("created 3 accounts", imported.Stdout);
        Assert.Equal(3, await api.ScalarAsync<long>("select count(*) from accounts where external_ref like 'imp-%'"));
    }

    [Fact]
    public async Task Imports_usage_from_csv_in_batches_and_counts_a_rerun_as_duplicates()
    {
        var account = await api.CreateAccountAsync("cli-base", "Csv Usage Ltd");
        var csv = new StringBuilder("account_id,metric,quantity,occurred_at,idempotency_key\n");
        for (var i = 0; i < 2500; i++) csv.Append($"{account},api_calls,{i}.25,2026-10-{1 + i % 28:D2}T08:00:00Z,csv-{i}\n");
        var file = File("usage.csv", csv.ToString());

        var first = await Billing("usage", "import", "--file", file);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("accepted 2,500, duplicates 0", first.Stdout);
        Assert.Contains("3 batches", first.Stdout);
        Assert.Equal(2500, await api.ScalarAsync<long>("select count(*) from usage_records where account_id = @account", new { account }));
        Assert.Equal(Enumerable.Range(0, 2500).Sum(i => i + 0.25m),
            await api.ScalarAsync<decimal>("select sum(quantity) from usage_records where account_id = @account", new { account }));

        var again = await Billing("usage", "import", "--file", file);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("accepted 0, duplicates 2,500", again.Stdout);
    }

    [Fact]
    public async Task Names_the_csv_line_of_a_bad_record_and_writes_none_of_its_batch()
    {
        var account = await api.CreateAccountAsync("cli-base", "Bad Csv Ltd");
        var csv = new StringBuilder("idempotency_key,account_id,metric,quantity,occurred_at\n");
        for (var i = 0; i < 1500; i++)
            csv.Append($"badcsv-{i},{account},api_calls,{(i == 1200 ? "-3" : "1")},\"2026-10-02T08:00:00Z\"\n");
        var result = await Billing("usage", "import", "--file", File("bad.csv", csv.ToString()));
        // Record 1201 is on line 1202 (after the header), in the second batch.
        AssertOneLineError(result, "batch 2 of 2", "line 1202 quantity", "must not be negative");
        Assert.Equal(1000, await api.ScalarAsync<long>("select count(*) from usage_records where account_id = @account", new { account }));

        AssertOneLineError(await Billing("usage", "import", "--file", File("cols.csv", "account_id,metric,quantity\n")), "missing column", "occurred_at");
    }

    [Fact]
    public async Task Imports_usage_from_json()
    {
        var account = await api.CreateAccountAsync("cli-base", "Json Usage Ltd");
        var records = Enumerable.Range(0, 3).Select(i => new { account_id = account, metric = "storage_gb", quantity = "0.5", occurred_at = "2026-09-30T23:59:59Z", idempotency_key = $"json-{i}" });
        var result = await Billing("usage", "import", "--file", File("usage.json", JsonSerializer.Serialize(new { records })));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("accepted 3, duplicates 0", result.Stdout);
    }

    [Fact]
    public async Task Adds_and_lists_charges()
    {
        var account = await api.CreateAccountAsync("cli-base", "Charged Via Cli");
        var added = await Billing("charges", "add", "--account", account.ToString(), "--description", "Managed upgrade", "--quantity", "1.5",
            "--unit-price", "99.123456789012", "--period", "2026-12");
        Assert.True(added.ExitCode == 0, added.Stderr);
        Assert.Contains("Managed upgrade", added.Stdout);
        var list = await Billing("charges", "list", "--account", account.ToString(), "--period", "2026-12");
        Assert.Contains("99.123456789012", list.Stdout);
        Assert.Contains("1.5", list.Stdout);

        var before = await api.SnapshotAsync();
        AssertOneLineError(await Billing("charges", "add", "--account", account.ToString(), "--description", "x", "--unit-price", "1", "--period", "2026-13"), "HTTP 400", "period", "2026-13");
        AssertOneLineError(await Billing("charges", "add", "--account", account.ToString(), "--description", "x", "--unit-price", "ten", "--period", "2026-12"), "unit_price");
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Refuses_writes_with_a_viewer_key_but_lists()
    {
        var before = await api.SnapshotAsync();
        var result = await api.CliAsync(CatalogueApi.ViewerKey, "plans", "create", "--file", File("viewer-plan.json",
            """{"code":"viewer","name":"X","currency":"EUR","base_fee_minor":0,"components":[]}"""));
        AssertOneLineError(result, "HTTP 403", "operator");
        Assert.Equal(before, await api.SnapshotAsync());
        Assert.Equal(0, (await api.CliAsync(CatalogueApi.ViewerKey, "plans", "list")).ExitCode);
    }

    [Fact]
    public async Task Explains_each_command_in_its_help()
    {
        var usage = await Billing("usage", "import", "--help");
        Assert.Equal(0, usage.ExitCode);
        Assert.Contains("account_id,metric,quantity,occurred_at,idempotency_key", usage.Stdout);
        var charges = await Billing("charges", "add", "--help");
        Assert.Contains("--unit-price", charges.Stdout);
        Assert.Contains("yyyy-MM", charges.Stdout);
        var accounts = await Billing("accounts", "create", "--help");
        Assert.Contains("--tax-rate", accounts.Stdout);
    }
}
