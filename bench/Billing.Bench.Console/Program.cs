using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Billing.Testing;
using Dapper;

// dotnet run --project bench/Billing.Bench.Console -c Release -- [invoices=100000] [dead letters=10000] [requests per page=20]
// Needs the local servers (deploy/local/servers.sh start; set -a; source .local/env; set +a).
var invoices = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var deadLetters = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
var requests = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
const int Periods = 10;
var accounts = Math.Max(1, invoices / Periods);

Console.WriteLine($"console paging benchmark: {accounts:N0} accounts × {Periods} months = {accounts * Periods:N0} invoices, " +
                  $"{deadLetters:N0} dead letters, {requests} timed requests per page after 3 warm-up requests");
await using var db = await TestDatabase.CreateAsync("benchconsole");
await using var vhost = await TestVhost.CreateAsync("benchconsole");

var seed = Stopwatch.StartNew();
await Seed.RunAsync(db.DataSource, accounts, "2026-10");
await ConsoleData.PlantAsync(db.DataSource, Periods);
var queue = await ConsoleData.DeadLettersAsync(vhost, deadLetters);
Console.WriteLine($"seeded in {seed.Elapsed.TotalSeconds:F1} s");

var key = "bk_bench_" + Guid.NewGuid().ToString("N");
await using var api = ServiceProcess.Start("admin-api", "Billing.AdminApi", new Dictionary<string, string?>
{
    ["Postgres__ConnectionString"] = db.ConnectionString,
    ["RabbitMq__Url"] = vhost.AmqpUrl,
    ["RabbitMq__ManagementUrl"] = TestServers.RabbitManagementUrl,
    ["Auth__ApiKeys"] = ApiKeys.Entry("bench", "operator", key),
    ["Logging__LogLevel__Default"] = "Warning",
});
await api.WaitHealthyAsync();
using var http = await ConsoleData.SignInAsync(api.BaseUrl, key);

var ids = await ConsoleData.IdsAsync(db.DataSource);
List<(string Name, string Path)> pages =
[
    ("overview", "/console"),
    ("runs", "/console/runs"),
    ("invoices, newest", "/console/invoices"),
    ("invoices, page in the middle", $"/console/invoices?after={ids.MiddleInvoice}"),
    ("invoices, last page", $"/console/invoices?after={ids.LastPageInvoice}"),
    ("invoices, number prefix", "/console/invoices?q=INV-B-00004"),
    ("invoices, account name part", "/console/invoices?q=004217"),
    ("invoices, account id", $"/console/invoices?q={ids.Account}"),
    ("invoices, one run", $"/console/invoices?run={ids.Run}"),
    ("invoices, one run, middle page", $"/console/invoices?run={ids.Run}&after={ids.MiddleOfRun}"),
    ("invoices, email failed", "/console/invoices?email=failed"),
    ("invoice", $"/console/invoices/{ids.Invoice}"),
    ("accounts, first", "/console/accounts"),
    ("accounts, page in the middle", $"/console/accounts?after={ids.MiddleAccount}"),
    ("accounts, name part", "/console/accounts?q=0042"),
    ("account", $"/console/accounts/{ids.Account}"),
    ("dead letters", "/console/dead-letters"),
    ($"dead letters of {queue}", $"/console/dead-letters/{queue}"),
];

Console.WriteLine();
Console.WriteLine($"{"page",-40} {"status",6} {"first",9} {"server p50",11} {"p95",9} {"max",9} {"client p50",11} {"p95",9} {"bytes",8}");
var worst = 0.0;
var worstFirst = 0.0;
foreach (var (name, path) in pages)
{
    var server = new List<double>();
    var client = new List<double>();
    var status = 0;
    var bytes = 0;
    double? first = null;
    for (var i = 0; i < requests + 3; i++)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        status = (int)response.StatusCode;
        bytes = body.Length;
        double? serverMs = response.Headers.TryGetValues("Server-Timing", out var timing)
            && Regex.Match(string.Join(",", timing), @"dur=([0-9.]+)") is { Success: true } m
            ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        // The first read of a page: nothing cached yet (a dead-letter queue is read from the broker).
        if (i == 0) first = serverMs ?? elapsed;
        if (i < 3) continue;
        client.Add(elapsed);
        if (serverMs is { } ms) server.Add(ms);
    }
    string Ms(List<double> values, double q) => values.Count == 0 ? "—" : $"{Quantile(values, q):F1} ms";
    Console.WriteLine($"{name,-40} {status,6} {(first is { } f ? $"{f:F1} ms" : "—"),9} {Ms(server, 0.5),11} {Ms(server, 0.95),9} {Ms(server, 1),9} {Ms(client, 0.5),11} {Ms(client, 0.95),9} {bytes,8:N0}");
    if (status != 200) Console.WriteLine($"  ! {path} answered {status}");
    if (server.Count > 0) worst = Math.Max(worst, Quantile(server, 0.95));
    if (first is { } cold) worstFirst = Math.Max(worstFirst, cold);
}
Console.WriteLine();
Console.WriteLine($"result: slowest page p95 {worst:F1} ms of server time (target < 300 ms: {(worst < 300 ? "met" : "MISSED")}); " +
                  $"slowest first read {worstFirst:F1} ms");
return 0;

static double Quantile(List<double> values, double q)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
