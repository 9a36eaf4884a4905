namespace Billing.Catalogue.Tests;

public sealed class When_usage_is_recorded(CatalogueFixture fixture) : IClassFixture<CatalogueFixture>, IAsyncLifetime
{
    private readonly CatalogueApi api = fixture.Api;
    private Guid account;
    private Guid other;

    public async Task InitializeAsync()
    {
        if ((await api.GetAsync("/api/plans/metered")).Status == 404) await api.CreatePlanAsync("metered");
        account = await api.CreateAccountAsync("metered", "Usage Co");
        other = await api.CreateAccountAsync("metered", "Other Co");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static object Record(Guid accountId, string key, object? quantity = null, string occurredAt = "2026-09-15T10:00:00Z", string metric = "api_calls") =>
        new Dictionary<string, object?>
        {
            ["account_id"] = accountId, ["metric"] = metric, ["quantity"] = quantity ?? "1500.5",
            ["occurred_at"] = occurredAt, ["idempotency_key"] = key,
        };

    private Task<(int Status, System.Text.Json.JsonElement Json, string MediaType)> Send(params object[] records) =>
        api.PostAsync("/api/usage", new { records });

    private static string Key() => "evt-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Stores_records_with_the_utc_month_as_period()
    {
        var late = Key();
        var exact = Key();
        var (status, result, _) = await Send(
            Record(account, Key()),
            // 23:30 at UTC-2 on 31 October is 01:30 UTC on 1 November.
            Record(account, late, "7", "2026-10-31T23:30:00-02:00"),
            Record(account, exact, "0.000000000001", metric: "storage_gb"));
        Assert.Equal(200, status);
        Assert.Equal(3, result.GetProperty("accepted").GetInt32());
        Assert.Equal(0, result.GetProperty("duplicates").GetInt32());
        Assert.Equal("2026-11", await api.ScalarAsync<string>("select period from usage_records where idempotency_key = @late", new { late }));
        Assert.Equal(0.000000000001m, await api.ScalarAsync<decimal>("select quantity from usage_records where idempotency_key = @exact", new { exact }));
    }

    [Fact]
    public async Task Counts_a_resent_batch_once()
    {
        var records = Enumerable.Range(0, 20).Select(i => Record(account, $"resend-{i}", i)).ToArray();
        var (_, first, _) = await Send(records);
        Assert.Equal(20, first.GetProperty("accepted").GetInt32());
        var before = await api.SnapshotAsync();

        var (status, again, _) = await Send(records);
        Assert.Equal(200, status);
        Assert.Equal(0, again.GetProperty("accepted").GetInt32());
        Assert.Equal(20, again.GetProperty("duplicates").GetInt32());
        Assert.Equal(before, await api.SnapshotAsync());

        // A batch overlapping the first counts only its new records, and a key repeated inside a batch counts once.
        var fresh = Record(account, "resend-new", 5);
        var (_, overlap, _) = await Send([.. records.Take(5), fresh, fresh]);
        Assert.Equal(1, overlap.GetProperty("accepted").GetInt32());
        Assert.Equal(6, overlap.GetProperty("duplicates").GetInt32());
        Assert.Equal(21, await api.ScalarAsync<long>("select count(*) from usage_records where idempotency_key like 'resend-%'"));
    }

    [Fact]
    public async Task Refuses_a_key_reused_for_a_different_record()
    {
        var key = Key();
        await Send(Record(account, key, 10));
        var before = await api.SnapshotAsync();
        ProblemAssert.NamesField(409, await Send(Record(account, Key()), Record(account, key, 11)), "records[1].idempotency_key");
        ProblemAssert.NamesField(400, await Send(Record(account, "same-in-batch", 1), Record(account, "same-in-batch", 2)), "records[1].idempotency_key");
        Assert.Equal(before, await api.SnapshotAsync());
    }

    public static TheoryData<string, string, string> BadRecords => new()
    {
        { "unknown account", """{"account_id":"0193f2a4-6f1e-7cc1-9d2b-4e1f8a3c5b6d","metric":"api_calls","quantity":1,"occurred_at":"2026-09-01T00:00:00Z","idempotency_key":"k"}""", "records[1].account_id" },
        { "account id not a UUID", """{"account_id":"acme","metric":"api_calls","quantity":1,"occurred_at":"2026-09-01T00:00:00Z","idempotency_key":"k"}""", "records[1].account_id" },
        { "metric not in the plan", """{"account_id":"ACCOUNT","metric":"gpu_hours","quantity":1,"occurred_at":"2026-09-01T00:00:00Z","idempotency_key":"k"}""", "records[1].metric" },
        { "negative quantity", """{"account_id":"ACCOUNT","metric":"api_calls","quantity":-1,"occurred_at":"2026-09-01T00:00:00Z","idempotency_key":"k"}""", "records[1].quantity" },
        { "non-numeric quantity", """{"account_id":"ACCOUNT","metric":"api_calls","quantity":"ten","occurred_at":"2026-09-01T00:00:00Z","idempotency_key":"k"}""", "records[1].quantity" },
        { "quantity with 13 decimals", """{"account_id":"ACCOUNT","metric":"api_calls","quantity":"0.0000000000001","occurred_at":"2026-09-01T00:00:00Z","idempotency_key":"k"}""", "records[1].quantity" },
        { "missing quantity", """{"account_id":"ACCOUNT","metric":"api_calls","occurred_at":"2026-09-01T00:00:00Z","idempotency_key":"k"}""", "records[1].quantity" },
        { "missing key", """{"account_id":"ACCOUNT","metric":"api_calls","quantity":1,"occurred_at":"2026-09-01T00:00:00Z"}""", "records[1].idempotency_key" },
        { "empty key", """{"account_id":"ACCOUNT","metric":"api_calls","quantity":1,"occurred_at":"2026-09-01T00:00:00Z","idempotency_key":" "}""", "records[1].idempotency_key" },
        { "in the future", """{"account_id":"ACCOUNT","metric":"api_calls","quantity":1,"occurred_at":"FUTURE","idempotency_key":"k"}""", "records[1].occurred_at" },
        { "no time zone", """{"account_id":"ACCOUNT","metric":"api_calls","quantity":1,"occurred_at":"2026-09-01T00:00:00","idempotency_key":"k"}""", "records[1].occurred_at" },
        { "not a timestamp", """{"account_id":"ACCOUNT","metric":"api_calls","quantity":1,"occurred_at":"yesterday","idempotency_key":"k"}""", "records[1].occurred_at" },
        { "unknown field", """{"account_id":"ACCOUNT","metric":"api_calls","quantity":1,"occurred_at":"2026-09-01T00:00:00Z","idempotency_key":"k","unit":"calls"}""", "records[1].unit" },
    };

    [Theory, MemberData(nameof(BadRecords))]
    public async Task Refuses_the_whole_batch_naming_the_bad_field(string because, string bad, string field)
    {
        _ = because;
        var good = $$"""{"account_id":"{{account}}","metric":"api_calls","quantity":1,"occurred_at":"2026-09-01T00:00:00Z","idempotency_key":"{{Key()}}"}""";
        bad = bad.Replace("ACCOUNT", account.ToString()).Replace("FUTURE", DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"))
            .Replace("\"k\"", $"\"{Key()}\"");
        var before = await api.SnapshotAsync();
        var message = ProblemAssert.NamesField(400, await api.PostAsync("/api/usage", CatalogueApi.Body($$"""{"records":[{{good}},{{bad}}]}""")), field);
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Refuses_an_empty_batch()
    {
        ProblemAssert.NamesField(400, await api.PostAsync("/api/usage", CatalogueApi.Body("""{"records":[]}""")), "records");
    }

    [Fact]
    public async Task Accepts_late_usage_once_a_run_for_the_period_exists_and_says_it_is_billed_with_the_next_invoice()
    {
        await api.ExecuteAsync("insert into invoice_runs (id, period, status) values (@id, '2026-07', 'completed')", new { id = Guid.NewGuid() });
        var (onTime, late) = (Key(), Key());
        var (status, result, _) = await Send(Record(account, onTime, occurredAt: "2026-08-01T00:00:00Z"), Record(account, late, occurredAt: "2026-07-31T23:59:59Z"));
        Assert.Equal(200, status);
        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        var item = Assert.Single(result.GetProperty("late").EnumerateArray());
        Assert.Equal(late, item.GetProperty("idempotency_key").GetString());
        Assert.Equal("2026-07", item.GetProperty("period").GetString());
        Assert.Equal("next invoice", item.GetProperty("billed_with").GetString());
        Assert.Contains("invoice run", item.GetProperty("reason").GetString());
        Assert.True(await api.ScalarAsync<bool>("select late from usage_records where idempotency_key = @late", new { late }));
        Assert.False(await api.ScalarAsync<bool>("select late from usage_records where idempotency_key = @onTime", new { onTime }));
    }

    [Fact]
    public async Task Accepts_late_usage_once_the_account_has_its_invoice_but_not_for_other_accounts()
    {
        await api.ExecuteAsync("""
            insert into invoices (id, account_id, period, issuer, number, currency, subtotal_minor, tax_rate, tax_minor, total_minor, due_at)
            values (@id, @account, '2026-06', 'default', 'INV-CAT-1', 'EUR', 100, 19, 19, 119, '2026-07-15')
            """, new { id = Guid.NewGuid(), account });
        var late = Key();
        var (status, result, _) = await Send(Record(account, late, occurredAt: "2026-06-10T00:00:00Z"), Record(other, Key(), occurredAt: "2026-06-10T00:00:00Z"));
        Assert.Equal(200, status);
        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        var item = Assert.Single(result.GetProperty("late").EnumerateArray());
        Assert.Equal(late, item.GetProperty("idempotency_key").GetString());
        Assert.Contains("INV-CAT-1", item.GetProperty("reason").GetString());
        Assert.Equal(1, await api.ScalarAsync<long>("select count(*) from usage_records where late and period = '2026-06'"));
    }

    [Fact]
    public async Task Still_answers_a_resend_of_usage_accepted_before_its_period_closed()
    {
        var record = Record(account, Key(), occurredAt: "2026-05-20T00:00:00Z");
        Assert.Equal(1, (await Send(record)).Json.GetProperty("accepted").GetInt32());
        await api.ExecuteAsync("insert into invoice_runs (id, period, status) values (@id, '2026-05', 'completed')", new { id = Guid.NewGuid() });
        var (status, result, _) = await Send(record);
        Assert.Equal(200, status);
        Assert.Equal(1, result.GetProperty("duplicates").GetInt32());
    }

    [Fact]
    public async Task Waits_for_a_run_being_started_and_then_takes_the_usage_as_late()
    {
        // The run starter's side of the contract (Billing.Catalogue.PeriodLock): lock the period, insert the run, commit.
        // The run has read its usage, or will read it without late records: this record goes to the next invoice.
        await using var conn = await api.Db.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await Dapper.SqlMapper.ExecuteAsync(conn, PeriodLock.ExclusiveSql, new { Period = "2026-03" }, tx);
        await Dapper.SqlMapper.ExecuteAsync(conn, "insert into invoice_runs (id, period) values (@id, '2026-03')", new { id = Guid.NewGuid() }, tx);

        var key = Key();
        var send = Send(Record(account, key, occurredAt: "2026-03-10T00:00:00Z"));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(send.IsCompleted, "the usage write should wait for the period lock");
        await tx.CommitAsync();

        var (status, result, _) = await send;
        Assert.Equal(200, status);
        Assert.Equal(key, Assert.Single(result.GetProperty("late").EnumerateArray()).GetProperty("idempotency_key").GetString());
        Assert.True(await api.ScalarAsync<bool>("select late from usage_records where idempotency_key = @key", new { key }));
    }
}
