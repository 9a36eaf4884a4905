using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Billing.Bench.Pipeline;
using Billing.Testing;
using Billing.Testing.FakeStripe;
using Dapper;

// Usage: dotnet run -c Release --project bench/Billing.Bench.Pipeline -- [--accounts 20000] [--stripe off|fake] [--skip-bare]
//        [--pg-options "Max Auto Prepare=32"] [--baseline <checkout>] [--rounds N] [--export off|on|both]
//        [--receiver dashboard|counter] [--otlp <endpoint>] [--log-level Warning|Information|...]
// Runs the whole pipeline — every service as its own process on the local servers (fresh database and vhost) —
// over N accounts and prints invoices/s end to end and per stage, p50/p95 from generation to emailed, CPU (seconds
// and milliseconds per invoice) and peak memory per service, and the bare limits of the building blocks measured in
// the same run, with the ratio to each.
// --baseline runs another checkout's Release build (e.g. a worktree of the previous commit, built with
// `dotnet build -c Release`) the same way in the same benchmark run, alternating with this build for --rounds rounds
// (default 2), and ends with both side by side: the mean of each figure and the ratio this/baseline. On a shared
// machine absolute figures move between runs; only figures from one run compare. The fake Stripe server speaks only
// this build's Stripe API version: against a baseline on another version, compare with --stripe off.
// --export on runs the services exporting traces, metrics and logs over OTLP as the quick start sets them up (the
// exporters' default intervals) to a dashboard of its own — the quick start's Aspire Dashboard started by
// deploy/local/dashboard.sh on free ports, its CPU and memory sampled with the services' — or, with --receiver counter,
// to an OTLP/gRPC receiver in the benchmark's process that counts what arrives and keeps nothing (a collector or backend
// on another machine, as in production: the services' part of the cost, without a store on the same cores), or to
// --otlp <endpoint> (OTEL_EXPORTER_OTLP_HEADERS and _PROTOCOL taken from the environment). --export both alternates
// runs without and with export on the same accounts for --rounds rounds (default 2) and ends with the cost of exporting.
// --log-level sets the services' Logging__LogLevel__Default: Warning by default, so a run measures the work rather than
// the log; Information is what the services log by default (a line per rendered and per emailed invoice), so with export
// it measures the cost of exporting their logs too.
var accounts = Arg("--accounts", 20_000);
var stripe = ArgText("--stripe", "off");
var skipBare = args.Contains("--skip-bare");
var baseline = ArgText("--baseline", "") is { Length: > 0 } b ? Path.GetFullPath(b) : null;
var export = ArgText("--export", "off");
var otlp = ArgText("--otlp", "");
var receiver = ArgText("--receiver", "dashboard");
string[] logLevels = ["Trace", "Debug", "Information", "Warning", "Error", "Critical", "None"];
var logLevelArg = ArgText("--log-level", "Warning");
var logLevel = logLevels.FirstOrDefault(l => l.Equals(logLevelArg, StringComparison.OrdinalIgnoreCase)) ?? logLevelArg;
var rounds = Arg("--rounds", baseline is null && export != "both" ? 1 : 2);
if (baseline is not null && !File.Exists(Path.Combine(baseline, "Billing.sln")))
{
    Console.Error.WriteLine($"--baseline {baseline}: not a checkout of this repository (no Billing.sln)");
    return 2;
}
if (export is not ("off" or "on" or "both"))
{
    Console.Error.WriteLine($"--export {export}: must be off, on or both");
    return 2;
}
if (otlp.Length > 0 && !(Uri.TryCreate(otlp, UriKind.Absolute, out var otlpUri) && otlpUri.Scheme is "http" or "https"))
{
    Console.Error.WriteLine($"--otlp {otlp}: must be an absolute http or https URL, such as http://127.0.0.1:4317");
    return 2;
}
if (otlp.Length > 0 && export == "off")
{
    Console.Error.WriteLine("--otlp needs --export on or both");
    return 2;
}
if (receiver is not ("dashboard" or "counter"))
{
    Console.Error.WriteLine($"--receiver {receiver}: must be dashboard or counter");
    return 2;
}
if (args.Contains("--receiver") && (export == "off" || otlp.Length > 0))
{
    Console.Error.WriteLine("--receiver needs --export on or both, and no --otlp");
    return 2;
}
if (!logLevels.Contains(logLevel, StringComparer.Ordinal))
{
    Console.Error.WriteLine($"--log-level {logLevel}: must be one of {string.Join(", ", logLevels)}");
    return 2;
}
const string period = "2026-10";
Environment.SetEnvironmentVariable("ASPNETCORE_PREVENTHOSTINGSTARTUP", "true");

Console.WriteLine($"pipeline benchmark: {accounts:N0} accounts, Stripe {stripe}, telemetry export {export}{(export == "off" ? "" : otlp.Length > 0 ? $" to {otlp}" : $" to the {receiver}")}, services logging at {logLevel}, {Environment.ProcessorCount} cores, load {Load()}");

BareLimits.Result? bare = null;
if (!skipBare)
{
    Console.WriteLine("bare limits (same machine, same run):");
    await using var scratch = await TestDatabase.CreateAsync("bare", migrate: false);
    await using var scratchVhost = await TestVhost.CreateAsync("bare");
    bare = await BareLimits.MeasureAsync(scratchVhost, scratch, Console.Out);
}

await using var fakeStripe = stripe == "fake" ? await FakeStripeServer.StartNewAsync() : null;
var builds = baseline is null ? new[] { ("this build", (string?)null) } : new[] { ("baseline", (string?)baseline), ("this build", null) };
var exports = export switch { "both" => new[] { false, true }, "on" => [true], _ => [false] };
// Each build with each export setting, interleaved round by round so that a change in the machine's load hits all alike.
var variants = builds.SelectMany(b => exports.Select(e => (Label: Label(b.Item1, e), Root: b.Item2, Export: e))).ToList();
string Label(string build, bool on) => (builds.Length, exports.Length) switch
{
    (1, 2) => on ? "export on" : "export off",
    (2, 2) => $"{build}, export {(on ? "on" : "off")}",
    _ => build,
};
await using var dashboard = exports.Contains(true) && otlp.Length == 0 && receiver == "dashboard" ? await BenchDashboard.StartAsync() : null;
await using var counter = exports.Contains(true) && otlp.Length == 0 && receiver == "counter" ? await OtlpCounter.StartAsync() : null;
IReadOnlyDictionary<string, string?> exporter = dashboard?.ExporterSettings ?? counter?.ExporterSettings ?? new Dictionary<string, string?>
{
    ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp,
    ["OTEL_EXPORTER_OTLP_PROTOCOL"] = Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_PROTOCOL"),
    ["OTEL_EXPORTER_OTLP_HEADERS"] = Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_HEADERS"),
};
if (dashboard is not null) Console.WriteLine($"exporting to a dashboard of its own at {dashboard.Url} (OTLP {exporter["OTEL_EXPORTER_OTLP_ENDPOINT"]})");
if (counter is not null) Console.WriteLine($"exporting to a receiver that counts and keeps nothing, OTLP/gRPC at {counter.Endpoint}");
var results = new List<RunResult>();
var failed = false;
// Every other round runs the variants in reverse order (A B, B A, A B, …): the machine's load tends to climb during a
// benchmark (the database and the broker fill up), and a fixed order would always give the later variant the busier box.
for (var round = 1; round <= rounds; round++)
    foreach (var (label, root, on) in round % 2 == 1 ? variants : Enumerable.Reverse(variants))
    {
        Console.WriteLine($"== {label}{(root is null ? "" : $" ({root})")}, round {round} of {rounds}, load {Load()}");
        var result = await RunPipelineAsync(label, root, on ? exporter : null, on ? dashboard?.Pid : null);
        results.Add(result);
        failed |= result.Status != "completed";
    }

if (rounds > 1 || variants.Count > 1)
{
    Console.WriteLine();
    Console.WriteLine($"side by side, mean of {rounds} round(s) each (same benchmark run, same machine):");
    var labels = variants.Select(x => x.Label).ToList();
    var ratioName = (builds.Length, exports.Length) switch { (1, 2) => "on/off", (2, 1) => "this/baseline", _ => "" };
    var width = Math.Max(14, labels.Max(l => l.Length) + 2);
    Console.WriteLine($"  {"",-34}" + string.Join("", labels.Select(l => l.PadLeft(width))) + (ratioName.Length > 0 ? $"{ratioName,15}" : ""));
    List<double> Row(string name, Func<RunResult, double> value, string format)
    {
        var means = labels.Select(l => results.Where(r => r.Label == l).Average(value)).ToList();
        // NaN: not measured in that variant (the dashboard of a run without export).
        Console.WriteLine($"  {name,-34}" + string.Join("", means.Select(m => (double.IsNaN(m) ? "-" : m.ToString(format, System.Globalization.CultureInfo.InvariantCulture)).PadLeft(width)))
            + (ratioName.Length > 0 && means[0] != 0 && !double.IsNaN(means[0]) ? $"{means[1] / means[0],15:P0}" : ""));
        return means;
    }
    var endToEnd = Row("end to end, invoices/s", r => r.EndToEnd, "N1");
    foreach (var stage in new[] { "generate", "render", "email", "sync" }) Row($"{stage}, invoices/s", r => r.Rates[stage], "N1");
    Row("generation → emailed p50, s", r => r.P50, "N1");
    var services = results.SelectMany(r => r.CpuMsPerInvoice.Keys).Distinct().ToList();
    foreach (var service in services)
        Row($"{service} CPU ms/invoice", r => r.CpuMsPerInvoice.GetValueOrDefault(service, double.NaN), "N2");
    var cpu = Row("all services CPU ms/invoice", r => r.CpuMsPerInvoice.Where(x => x.Key != BenchDashboard.Name).Sum(x => x.Value), "N2");
    foreach (var group in MachineCpu.Groups.Prepend(MachineCpu.Busy))
        Row($"{(group == MachineCpu.Busy ? "the machine" : group)} CPU ms/invoice", r => r.MachineMsPerInvoice[group], "N2");
    foreach (var service in services)
        Row($"{service} peak MB", r => r.PeakMb.GetValueOrDefault(service, double.NaN), "N0");
    if (ratioName == "on/off")
    {
        var dashboardCpu = results.Where(r => r.Label == labels[1]).Average(r => r.CpuMsPerInvoice.GetValueOrDefault(BenchDashboard.Name));
        Console.WriteLine($"cost of exporting telemetry: {1 - endToEnd[1] / endToEnd[0]:P1} fewer invoices/s end to end, "
            + $"{cpu[1] / cpu[0] - 1:P1} more CPU per invoice in the services"
            + (dashboard is not null ? $", plus {dashboardCpu:N2} ms/invoice in the dashboard receiving it" : ""));
    }
}
Console.WriteLine($"load average at the end: {Load()}");
return failed ? 1 : 0;

async Task<RunResult> RunPipelineAsync(string label, string? root, IReadOnlyDictionary<string, string?>? exportTo, int? dashboardPid)
{
    // The build migrates its own database at start (as in production), then the accounts are seeded.
    await using var db = await TestDatabase.CreateAsync("pipe", migrate: false);
    await using var vhost = await TestVhost.CreateAsync("pipe");
    var pdfDir = Directory.CreateTempSubdirectory("billing-bench-pdfs-").FullName;
    var key = "bk_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    var env = new Dictionary<string, string?>
    {
        ["Postgres__ConnectionString"] = db.ConnectionString,
        ["RabbitMq__Url"] = vhost.AmqpUrl,
        ["RabbitMq__ManagementUrl"] = TestServers.RabbitManagementUrl,
        ["Smtp__Host"] = TestServers.SmtpHost,
        ["Smtp__Port"] = TestServers.SmtpPort.ToString(),
        ["Mail__From"] = "billing@example.test",
        ["PdfStorage__Directory"] = pdfDir,
        ["Auth__ApiKeys"] = ApiKeys.Entry("bench", "operator", key),
        ["Logging__LogLevel__Default"] = logLevel,
    };
    // e.g. --pg-options "Max Auto Prepare=32": measures Npgsql settings without changing the services.
    if (ArgText("--pg-options", "") is { Length: > 0 } pgOptions) env["Postgres__ConnectionString"] += ";" + pgOptions;
    if (exportTo is not null)
        foreach (var (k, v) in exportTo) env[k] = v;
    if (fakeStripe is not null)
    {
        env["Stripe__ApiKey"] = fakeStripe.ApiKey;
        env["Stripe__BaseUrl"] = fakeStripe.BaseUrl;
        env["Stripe__RequestsPerSecond"] = "1000";
    }

    (string Folder, string Assembly)[] services =
    [
        ("admin-api", "Billing.AdminApi"), ("invoice-generator", "Billing.InvoiceGenerator"), ("pdf-renderer", "Billing.PdfRenderer"),
        ("mailer", "Billing.Mailer"), ("accounting-sync", "Billing.AccountingSync"), ("redrive", "Billing.Redrive.Service"),
    ];
    // admin-api first: it migrates the database; the others start once it is healthy.
    var processes = new List<(string Folder, ServiceProcess Process)> { (services[0].Folder, ServiceProcess.Start(services[0].Folder, services[0].Assembly, env, null, root)) };
    try
    {
        await processes[0].Process.WaitHealthyAsync(TimeSpan.FromMinutes(3));
        processes.AddRange(services.Skip(1).Select(s => (s.Folder, ServiceProcess.Start(s.Folder, s.Assembly, env, null, root))));
        await Task.WhenAll(processes.Select(p => p.Process.WaitHealthyAsync(TimeSpan.FromMinutes(3))));
        var seed = Stopwatch.StartNew();
        await Seed.RunAsync(db.DataSource, accounts, period);
        Console.WriteLine($"seeded {accounts:N0} accounts with 3 metered components each in {seed.Elapsed.TotalSeconds:N1} s");

        var samplers = processes.ToDictionary(p => p.Folder, p => new ProcessSampler(p.Process.Pid));
        // The receiving end's work is part of the cost of exporting (its peak memory is over its whole life).
        if (dashboardPid is { } pid) samplers[BenchDashboard.Name] = new ProcessSampler(pid);
        foreach (var s in samplers.Values) s.Sample();
        var cpuBefore = samplers.ToDictionary(s => s.Key, s => s.Value.CpuSeconds);
        var machineBefore = MachineCpu.Snapshot();
        var receivedBefore = exportTo is not null ? counter?.Counts : null;

        using var http = new HttpClient { BaseAddress = new Uri(processes[0].Process.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var clock = Stopwatch.StartNew();
        var start = await http.PostAsJsonAsync("/api/runs", new { period });
        var startBody = await start.Content.ReadAsStringAsync();
        if (!start.IsSuccessStatusCode) throw new InvalidOperationException($"run not started: {(int)start.StatusCode} {startBody}");
        var runId = JsonDocument.Parse(startBody).RootElement.GetProperty("run_id").GetGuid();

        string status;
        while (true)
        {
            await Task.Delay(1000);
            foreach (var s in samplers.Values) s.Sample();
            await using var conn = await db.DataSource.OpenConnectionAsync();
            var row = await conn.QuerySingleAsync<(string Status, int Invoices, int Rendered, int Emailed, int Synced)>("""
                select r.status,
                       count(i.id)::int, count(i.pdf_rendered_at)::int, count(i.emailed_at)::int, count(i.synced_at)::int
                from invoice_runs r left join invoices i on i.run_id = r.id
                where r.id = @runId group by r.status
                """, new { runId });
            status = row.Status;
            if (!Console.IsOutputRedirected)
                Console.Write($"\r{clock.Elapsed.TotalSeconds,6:N0} s  generated {row.Invoices,7:N0}  rendered {row.Rendered,7:N0}  emailed {row.Emailed,7:N0}  synced {row.Synced,7:N0}  [{status}]   ");
            // A build without the run's final states ends when every invoice is emailed and synced.
            if (status != "running" && status != "needs_attention" || clock.Elapsed > TimeSpan.FromMinutes(60)) break;
            if (row.Invoices == accounts && row.Emailed == accounts && row.Synced == accounts && status == "needs_attention") break;
        }
        var wall = clock.Elapsed.TotalSeconds;
        var machineAfter = MachineCpu.Snapshot();
        if (!Console.IsOutputRedirected) Console.WriteLine();

        await using var c = await db.DataSource.OpenConnectionAsync();
        var stages = new (string Name, string Column)[] { ("generate", "created_at"), ("render", "pdf_rendered_at"), ("email", "emailed_at"), ("sync", "synced_at") };
        var runStart = await c.ExecuteScalarAsync<DateTime>("select started_at from invoice_runs where id = @runId", new { runId });
        var total = await c.ExecuteScalarAsync<int>("select count(*)::int from invoices where run_id = @runId", new { runId });
        Console.WriteLine($"run {status}: {total:N0} invoices in {wall:N1} s = {total / wall:N1} invoices/s end to end (POST /api/runs to completion)");
        var rates = new Dictionary<string, double>();
        foreach (var (name, column) in stages)
        {
            var (n, first, last) = await c.QuerySingleAsync<(int, DateTime?, DateTime?)>(
                $"select count({column})::int, min({column}), max({column}) from invoices where run_id = @runId", new { runId });
            var span = last is null ? 0 : (last.Value - (first ?? runStart)).TotalSeconds;
            rates[name] = span > 0 ? n / span : 0;
            Console.WriteLine($"  {name,-9} {n,8:N0} invoices, {rates[name],8:N1} /s (first to last)");
        }
        var latencies = (await c.QueryAsync<double>(
            "select extract(epoch from emailed_at - created_at)::float8 from invoices where run_id = @runId and emailed_at is not null order by 1",
            new { runId })).ToList();
        var p50 = latencies.Count > 0 ? Percentile(latencies, 0.50) : 0;
        if (latencies.Count > 0)
            Console.WriteLine($"  generation → emailed: p50 {p50:N1} s, p95 {Percentile(latencies, 0.95):N1} s");

        Console.WriteLine("per service: CPU during the run (seconds, milliseconds per invoice), peak memory (VmHWM)");
        var cpuMs = new Dictionary<string, double>();
        var peak = new Dictionary<string, double>();
        foreach (var (name, s) in samplers)
        {
            var cpu = s.CpuSeconds - cpuBefore[name];
            cpuMs[name] = total > 0 ? cpu * 1000 / total : 0;
            peak[name] = s.PeakRssBytes / 1048576.0;
            Console.WriteLine($"  {name,-18} {cpu,8:N1} s CPU {cpuMs[name],7:N2} ms/invoice  {peak[name],7:N0} MB");
        }
        var servicesMs = cpuMs.Where(x => x.Key != BenchDashboard.Name).Sum(x => x.Value);
        Console.WriteLine($"  {"all services",-18} {servicesMs * total / 1000,8:N1} s CPU {servicesMs,7:N2} ms/invoice");
        var machine = MachineCpu.PerInvoice(machineBefore, machineAfter, total);
        var busy = machine[MachineCpu.Busy];
        Console.WriteLine($"the whole machine: {busy * total / 1000 / wall / Environment.ProcessorCount:P0} of {Environment.ProcessorCount} cores busy, {busy:N2} ms CPU per invoice, of which");
        foreach (var server in MachineCpu.Groups)
            Console.WriteLine($"  {server,-18} {machine[server],7:N2} ms/invoice  {machine[server] / busy,4:P0}");
        if (cpuMs.TryGetValue(BenchDashboard.Name, out var dashboardMs))
            Console.WriteLine($"  {BenchDashboard.Name,-18} {dashboardMs,7:N2} ms/invoice  {dashboardMs / busy,4:P0}");
        var other = busy - servicesMs - MachineCpu.Groups.Sum(x => machine[x]) - cpuMs.GetValueOrDefault(BenchDashboard.Name);
        Console.WriteLine($"  {"services",-18} {servicesMs,7:N2} ms/invoice  {servicesMs / busy,4:P0}");
        Console.WriteLine($"  {"anything else",-18} {other,7:N2} ms/invoice  {other / busy,4:P0}");

        if (bare is not null)
        {
            Console.WriteLine("pipeline against the bare limits:");
            Console.WriteLine($"  broker: {total * 5 / wall:N0} messages/s through the pipeline (≈5 per invoice) vs {bare.BrokerPublish:N0} publish/s bare = {total * 5 / wall / bare.BrokerPublish:P1}");
            Console.WriteLine($"  email:  {rates["email"]:N1}/s vs SMTP bare {bare.Smtp:N1}/s = {rates["email"] / bare.Smtp:P0}");
            Console.WriteLine($"  email:  {rates["email"]:N1}/s vs SMTP bare over kept connections {bare.SmtpKept:N1}/s = {rates["email"] / bare.SmtpKept:P0}");
            Console.WriteLine($"  render: {rates["render"]:N1}/s vs PDF bare {bare.PdfRender:N1}/s = {rates["render"] / bare.PdfRender:P0}");
            Console.WriteLine($"  generate: {rates["generate"]:N1}/s vs COPY bare {bare.DbInsertRows:N0} rows/s = {rates["generate"] / bare.DbInsertRows:P2} (≈6 rows per invoice)");
            Console.WriteLine("CPU per invoice against the bare CPU of the building blocks (the clients' side, measured above):");
            var blocks = bare.Cpu.PerInvoice();
            foreach (var (service, what, ms) in blocks)
                Console.WriteLine($"  {service,-18} {cpuMs.GetValueOrDefault(service),7:N2} ms vs {ms,6:N3} ms bare ({what}) = {cpuMs.GetValueOrDefault(service) / ms,5:N2}×");
            var bareSum = blocks.Sum(b => b.Ms);
            var ceiling = Environment.ProcessorCount * 1000 / bareSum;
            Console.WriteLine($"  CPU ceiling: {Environment.ProcessorCount} cores / {bareSum:N3} ms bare per invoice = {ceiling:N0} invoices/s; end to end ran at {total / wall / ceiling:P0} of it");
        }
        if (receivedBefore is { } before && counter is not null)
        {
            // What the services exported for this run, once their last batches (sent every 5 s by default) are in: 6 s
            // without a new span or log record, or 30 s at most (the services' timers and the progress polling keep
            // exporting a few spans while idle, so the count may hold a handful that are not the run's).
            var after = counter.Counts;
            for (var (quiet, waited) = (0, 0); quiet < 3 && waited < 15; waited++)
            {
                await Task.Delay(2000);
                var now = counter.Counts;
                quiet = now.Spans == after.Spans && now.Logs == after.Logs ? quiet + 1 : 0;
                after = now;
            }
            Console.WriteLine($"received by the counter: {after.Spans - before.Spans:N0} spans ({(after.Spans - before.Spans) / (double)Math.Max(1, total):N1} per invoice), "
                + $"{after.Logs - before.Logs:N0} log records, {after.Metrics - before.Metrics:N0} metrics in {after.Requests - before.Requests:N0} requests");
        }
        return new RunResult(label, status, total / wall, rates, p50, cpuMs, peak, machine);
    }
    finally
    {
        foreach (var (_, p) in processes) await p.DisposeAsync();
        Directory.Delete(pdfDir, true);
    }
}

int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
string ArgText(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Round(p * (sorted.Count - 1)))];

internal sealed record RunResult(string Label, string Status, double EndToEnd, Dictionary<string, double> Rates, double P50,
    Dictionary<string, double> CpuMsPerInvoice, Dictionary<string, double> PeakMb, Dictionary<string, double> MachineMsPerInvoice);
