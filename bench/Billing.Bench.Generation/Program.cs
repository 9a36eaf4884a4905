using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Contracts;
using Billing.Testing;
using Dapper;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

// Usage: dotnet run -c Release --project bench/Billing.Bench.Generation -- [accounts=100000]
// Starts a real invoice-generator process (Stripe off) on a fresh database and vhost on the local servers,
// runs one period over every account and prints invoices/s of the generation stage and the generator's peak memory.
// Before the run, an admin-api process previews it (POST /api/runs/preview) and the preview's time is printed.
var accounts = args.Length > 0 ? int.Parse(args[0]) : 100_000;
var concurrency = args.Length > 1 ? args[1] : null; // null: the service's default
// The publisher host is named, not an assembly: no hosting startup to look for.
Environment.SetEnvironmentVariable("ASPNETCORE_PREVENTHOSTINGSTARTUP", "true");
const string period = "2026-10";

Console.WriteLine($"generation benchmark: {accounts:N0} accounts, 3 metered components each (per-unit, graduated, package), Stripe off, ConcurrentMessageLimit {concurrency ?? "default"}");
await using var db = await TestDatabase.CreateAsync("bench");
await using var vhost = await TestVhost.CreateAsync("bench");

var seed = Stopwatch.StartNew();
await SeedAsync(db.DataSource, accounts, period);
Console.WriteLine($"seeded {accounts:N0} accounts and {accounts * 3:N0} usage records in {seed.Elapsed.TotalSeconds:N1} s");

await using var generator = ServiceProcess.Start("invoice-generator", "Billing.InvoiceGenerator", new Dictionary<string, string?>
{
    ["Postgres__ConnectionString"] = db.ConnectionString,
    ["RabbitMq__Url"] = vhost.AmqpUrl,
    ["Logging__LogLevel__Default"] = "Warning",
    ["Generation__ConcurrentMessageLimit"] = concurrency,
});
await generator.WaitHealthyAsync();
var publisher = await InProcessService.StartAsync("bench-publisher", db, vhost, _ => { });

// The run preview over the same accounts, through the admin API as an operator calls it: cold (first request of the
// process) and warm. Its totals are compared with the run's at the end.
const string benchKey = "bk_operator_bench_5e4d3c2b1a09f8e7d6c5";
await using var api = AdminApiProcess.Start(db, vhost, ApiKeys.Entry("bench", "operator", benchKey),
    new Dictionary<string, string?> { ["Logging__LogLevel__Default"] = "Warning" });
await api.WaitHealthyAsync();
using var http = new HttpClient { BaseAddress = new Uri(api.BaseUrl), Timeout = TimeSpan.FromMinutes(10) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", benchKey);
JsonElement preview = default;
foreach (var attempt in new[] { "cold", "warm" })
{
    // CPU time beside wall time: on a shared machine the wall clock says more about the neighbours.
    var (apiCpu, previewDbCpu) = (CpuSeconds(api.Pid), DatabaseCpuSeconds(db.Name));
    var watch = Stopwatch.StartNew();
    var response = await http.PostAsJsonAsync("/api/runs/preview", new { period });
    var body = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"preview answered {(int)response.StatusCode}: {body}");
    preview = JsonDocument.Parse(body).RootElement.Clone();
    Console.WriteLine($"run preview ({attempt}): {preview.GetProperty("billable_accounts").GetInt32():N0} accounts, {preview.GetProperty("invoices").GetInt32():N0} invoices priced in "
        + $"{watch.Elapsed.TotalSeconds:N2} s ({preview.GetProperty("elapsed_ms").GetInt64():N0} ms in the API); CPU: admin-api {CpuSeconds(api.Pid) - apiCpu:N1} s, "
        + $"PostgreSQL {DatabaseCpuSeconds(db.Name) - previewDbCpu:N1} s; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
}

var runId = Guid.CreateVersion7();
await using (var conn = await db.DataSource.OpenConnectionAsync())
    await conn.ExecuteAsync("insert into invoice_runs (id, period) values (@runId, @period)", new { runId, period });
var cpuBefore = CpuSeconds(generator.Pid);
var broker = BrokerPid();
var brokerCpuBefore = broker is { } b0 ? CpuSeconds(b0) : 0;
var dbCpuBefore = DatabaseCpuSeconds(db.Name);
var commitsBefore = await CommitsAsync(db);
var clock = Stopwatch.StartNew();
await publisher.Services.GetRequiredService<IBus>().Publish(new StartInvoiceRun(runId, period, DateTimeOffset.UtcNow));

long peakRss = 0;
int count;
DateTime? first, last;
while (true)
{
    await Task.Delay(1000);
    peakRss = Math.Max(peakRss, HighWaterMark(generator.Pid));
    // Progress from the table statistics (no scan of the run's invoices competing with the run); the exact
    // count only once they say the run may be done.
    await using var conn = await db.DataSource.OpenConnectionAsync();
    count = await conn.ExecuteScalarAsync<int>("select coalesce(n_tup_ins, 0)::int from pg_stat_user_tables where relname = 'invoices'");
    (first, last) = (null, null);
    if (count >= accounts || clock.Elapsed > TimeSpan.FromMinutes(30))
        (count, first, last) = await conn.QuerySingleAsync<(int, DateTime?, DateTime?)>(
            "select count(*)::int, min(created_at), max(created_at) from invoices where run_id = @runId", new { runId });
    Console.Write($"\r{count:N0} invoices after {clock.Elapsed.TotalSeconds:N0} s   ");
    if (count >= accounts || clock.Elapsed > TimeSpan.FromMinutes(30)) break;
}
Console.WriteLine();
var stage = (last!.Value - first!.Value).TotalSeconds;
Console.WriteLine($"generation stage: {count:N0} invoices in {stage:N1} s = {count / stage:N0} invoices/s (first to last invoice stored)");
Console.WriteLine($"end to end from StartInvoiceRun: {clock.Elapsed.TotalSeconds:N1} s = {count / clock.Elapsed.TotalSeconds:N0} invoices/s");
Console.WriteLine($"generator peak memory (VmHWM): {peakRss / 1024.0 / 1024:N0} MB");
var cpu = CpuSeconds(generator.Pid) - cpuBefore;
var dbCpu = DatabaseCpuSeconds(db.Name) - dbCpuBefore;
// On a shared machine wall-clock rates say more about the neighbours than about us; CPU time does not.
Console.WriteLine($"generator CPU time: {cpu:N1} s = {count / cpu:N0} invoices per generator CPU-second; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
// The generator's connections stay open in its pool, so their backends' CPU is the database work of the run.
Console.WriteLine($"PostgreSQL CPU time of this database's connections: {dbCpu:N1} s = {count / dbCpu:N0} invoices per database CPU-second");
if (broker is { } b1)
{
    // The whole broker process: on a machine running nothing else, that is this run's messaging.
    var brokerCpu = CpuSeconds(b1) - brokerCpuBefore;
    Console.WriteLine($"RabbitMQ CPU time (whole broker): {brokerCpu:N1} s = {count / brokerCpu:N0} invoices per broker CPU-second");
}
var commits = await CommitsAsync(db) - commitsBefore;
Console.WriteLine($"database transactions: {commits:N0} = {commits / (double)count:N3} per invoice (reads and writes are grouped across concurrent consumers)");
await using (var conn = await db.DataSource.OpenConnectionAsync())
{
    var run = (await conn.QueryAsync<(string Currency, int Invoices, long Total)>(
        "select currency, count(*)::int, sum(total_minor)::bigint from invoices where run_id = @runId group by currency order by currency", new { runId })).ToList();
    var predicted = preview.GetProperty("totals").EnumerateArray()
        .Select(t => (t.GetProperty("currency").GetString()!, t.GetProperty("invoices").GetInt32(), t.GetProperty("total_minor").GetInt64())).ToList();
    Console.WriteLine($"preview totals {(predicted.SequenceEqual(run) ? "equal" : "DIFFER FROM")} the run's: "
        + string.Join(", ", run.Select(r => $"{r.Currency} {r.Invoices:N0} invoices {r.Total:N0} minor")));
}
await publisher.DisposeAsync();
return count >= accounts ? 0 : 1;

static double CpuSeconds(int pid)
{
    // /proc/<pid>/stat fields 14 and 15: utime and stime in clock ticks (100 per second on Linux).
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
}

static async Task<long> CommitsAsync(TestDatabase db)
{
    await using var conn = await db.DataSource.OpenConnectionAsync();
    // Statistics are flushed by backends at most once a second; the bench's own polling adds a few.
    await conn.ExecuteAsync("select pg_stat_force_next_flush()");
    await Task.Delay(1100);
    return await conn.ExecuteScalarAsync<long>("select xact_commit + xact_rollback from pg_stat_database where datname = current_database()");
}

static int? BrokerPid()
{
    foreach (var dir in Directory.EnumerateDirectories("/proc"))
    {
        if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
        try
        {
            if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() == "beam.smp") return pid;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
    return null;
}

static double DatabaseCpuSeconds(string database)
{
    var total = 0.0;
    foreach (var dir in Directory.EnumerateDirectories("/proc"))
    {
        if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
        try
        {
            var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
            if (cmdline.StartsWith("postgres: ", StringComparison.Ordinal) && cmdline.Contains($" {database} ", StringComparison.Ordinal))
                total += CpuSeconds(pid);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
    return total;
}

static long HighWaterMark(int pid)
{
    try
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
    catch (IOException) { return 0; }
}

static async Task SeedAsync(NpgsqlDataSource db, int accounts, string period)
{
    var plan = Guid.NewGuid();
    await using var conn = await db.OpenConnectionAsync();
    await conn.ExecuteAsync("""
        insert into plans (id, code, name, currency, base_fee_minor, components) values (@plan, 'bench', 'Bench plan', 'EUR', 1500, @components::jsonb)
        """, new
    {
        plan,
        components = """
            [{"metric":"api_calls","model":"per_unit","unit_price":"0.0005"},
             {"metric":"storage_gb","model":"graduated","tiers":[{"up_to":100,"unit_price":"0.10"},{"up_to":1000,"unit_price":"0.08","flat_fee":"5.00"},{"up_to":null,"unit_price":"0.05"}]},
             {"metric":"sms","model":"package","package_size":100,"package_price":"2.50"}]
            """,
    });
    var ids = Enumerable.Range(0, accounts).Select(_ => Guid.NewGuid()).ToArray();
    await using (var copy = await conn.BeginBinaryImportAsync("copy accounts (id, name, billing_email, currency, plan_id, tax_rate, billing_starts_on) from stdin (format binary)"))
    {
        foreach (var id in ids)
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(id, NpgsqlDbType.Uuid);
            await copy.WriteAsync("Account " + id, NpgsqlDbType.Text);
            await copy.WriteAsync($"billing+{id:N}@example.test", NpgsqlDbType.Text);
            await copy.WriteAsync("EUR", NpgsqlDbType.Char);
            await copy.WriteAsync(plan, NpgsqlDbType.Uuid);
            await copy.WriteAsync(19m, NpgsqlDbType.Numeric);
            await copy.WriteAsync(BillingStart.Of(period), NpgsqlDbType.Date);
        }
        await copy.CompleteAsync();
    }
    var random = new Random(42);
    var at = new DateTime(2026, 10, 15, 0, 0, 0, DateTimeKind.Utc);
    await using (var copy = await conn.BeginBinaryImportAsync("copy usage_records (account_id, period, metric, quantity, occurred_at, idempotency_key) from stdin (format binary)"))
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
