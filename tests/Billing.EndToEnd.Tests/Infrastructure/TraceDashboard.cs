using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Billing.Testing;

namespace Billing.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The trace UI of the quick start (the Aspire Dashboard), started the way the quick start starts it —
/// <c>deploy/local/servers.sh start dashboard</c> — but with its own state directory and free ports, so it never meets
/// a developer's dashboard. Read back through the dashboard's telemetry HTTP API (OTLP JSON).
/// </summary>
public sealed class TraceDashboard : IAsyncDisposable
{
    private readonly Dictionary<string, string> scriptEnvironment;
    private readonly HttpClient http;

    private TraceDashboard(Dictionary<string, string> scriptEnvironment, IReadOnlyDictionary<string, string> settings)
    {
        this.scriptEnvironment = scriptEnvironment;
        Settings = settings;
        http = new HttpClient { BaseAddress = new Uri(settings["BILLING_DASHBOARD_URL"]), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-API-Key", settings["BILLING_DASHBOARD_API_KEY"]);
    }

    /// <summary>What the script printed: OTEL_EXPORTER_OTLP_*, BILLING_TRACE_UI_URL, BILLING_DASHBOARD_*.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>A service's settings to export to this dashboard, flushing twice a second so a test need not wait long.</summary>
    public IDictionary<string, string?> ExporterSettings() => new Dictionary<string, string?>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Settings["OTEL_EXPORTER_OTLP_ENDPOINT"],
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = Settings["OTEL_EXPORTER_OTLP_PROTOCOL"],
        ["OTEL_EXPORTER_OTLP_HEADERS"] = Settings["OTEL_EXPORTER_OTLP_HEADERS"],
        ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "500",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "2000",
    };

    public static async Task<TraceDashboard> StartAsync()
    {
        var env = new Dictionary<string, string>
        {
            ["BILLING_DASHBOARD_DIR"] = Directory.CreateTempSubdirectory("billing-dashboard-").FullName,
            ["BILLING_DASHBOARD_PORT"] = ServiceProcess.FreePort().ToString(),
            ["BILLING_OTLP_GRPC_PORT"] = ServiceProcess.FreePort().ToString(),
            ["BILLING_OTLP_HTTP_PORT"] = ServiceProcess.FreePort().ToString(),
        };
        // The first start restores the package: minutes on a cold NuGet cache.
        var (exit, stdout, stderr) = await RunScriptAsync(env, TimeSpan.FromMinutes(10), "start", "dashboard");
        if (exit != 0) throw new InvalidOperationException($"servers.sh start dashboard exited {exit}:\n{stderr}\n{stdout}");
        var settings = new Dictionary<string, string>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith("export ", StringComparison.Ordinal)) continue;
            var (name, value) = (line[7..line.IndexOf('=')], line[(line.IndexOf('=') + 1)..]);
            settings[name] = value.Trim('"');
        }
        return new TraceDashboard(env, settings);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunScriptAsync(Dictionary<string, string> env, TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo("bash")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root,
        };
        info.ArgumentList.Add(Path.Combine(RepoPaths.Root, "deploy", "local", "servers.sh"));
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>GET a telemetry API path; null on 404 (a trace not seen yet).</summary>
    public async Task<JsonElement?> GetAsync(string path)
    {
        var response = await http.GetAsync(path);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Every span of the trace the dashboard holds (empty while it has none).</summary>
    public async Task<IReadOnlyList<ExportedSpan>> TraceAsync(string traceId) =>
        await GetAsync($"/api/telemetry/traces/{traceId}") is { } json ? OtlpJson.Spans(json) : [];

    /// <summary>Every span the dashboard holds, of every service (a test run is small), up to <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<ExportedSpan>> SpansAsync(int limit = 100000) =>
        await GetAsync($"/api/telemetry/spans?limit={limit}") is { } json ? OtlpJson.Spans(json) : [];

    /// <summary>The structured logs of a trace.</summary>
    public async Task<IReadOnlyList<ExportedLog>> LogsAsync(string traceId) =>
        await GetAsync($"/api/telemetry/logs?traceId={traceId}&limit=10000") is { } json ? OtlpJson.Logs(json) : [];

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        var (exit, stdout, stderr) = await RunScriptAsync(scriptEnvironment, TimeSpan.FromMinutes(1), "stop", "dashboard");
        try { Directory.Delete(scriptEnvironment["BILLING_DASHBOARD_DIR"], true); } catch (IOException) { }
        if (exit != 0) throw new InvalidOperationException($"servers.sh stop dashboard exited {exit}:\n{stderr}\n{stdout}");
    }
}

/// <summary>Spans and logs out of OTLP JSON (the dashboard API's answers wrap it in "data").</summary>
public static class OtlpJson
{
    public static IReadOnlyList<ExportedSpan> Spans(JsonElement answer)
    {
        var spans = new List<ExportedSpan>();
        var data = answer.TryGetProperty("data", out var d) ? d : answer;
        if (!data.TryGetProperty("resourceSpans", out var resources)) return spans;
        foreach (var resource in resources.EnumerateArray())
        {
            var service = ServiceName(resource);
            foreach (var scope in Array(resource, "scopeSpans"))
            {
                var scopeName = scope.TryGetProperty("scope", out var s) && s.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
                foreach (var span in Array(scope, "spans"))
                {
                    var links = Array(span, "links").Select(l => new SpanLink(Id(l, "traceId"), Id(l, "spanId"))).ToList();
                    spans.Add(new ExportedSpan(service, Id(span, "traceId"), Id(span, "spanId"), Id(span, "parentSpanId"),
                        span.GetProperty("name").GetString() ?? "", Kind(span), scopeName, Attributes(span), links));
                }
            }
        }
        return spans;
    }

    public static IReadOnlyList<ExportedLog> Logs(JsonElement answer)
    {
        var logs = new List<ExportedLog>();
        var data = answer.TryGetProperty("data", out var d) ? d : answer;
        if (!data.TryGetProperty("resourceLogs", out var resources)) return logs;
        foreach (var resource in resources.EnumerateArray())
        {
            var service = ServiceName(resource);
            foreach (var scope in Array(resource, "scopeLogs"))
                foreach (var record in Array(scope, "logRecords"))
                    logs.Add(new ExportedLog(service, Id(record, "traceId"), Id(record, "spanId"),
                        record.TryGetProperty("body", out var body) ? Value(body) : "", Attributes(record)));
        }
        return logs;
    }

    private static IEnumerable<JsonElement> Array(JsonElement e, string name) =>
        e.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray() : [];

    private static string ServiceName(JsonElement resource) =>
        resource.TryGetProperty("resource", out var r) && Attributes(r).TryGetValue("service.name", out var name) ? name : "";

    /// <summary>Ids as lower-case hex (OTLP JSON writes them in hex; base64 is read too).</summary>
    private static string Id(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.GetString() is not { Length: > 0 } text) return "";
        if (text.All(Uri.IsHexDigit)) return text.ToLowerInvariant();
        return Convert.ToHexStringLower(Convert.FromBase64String(text));
    }

    private static int Kind(JsonElement span)
    {
        if (!span.TryGetProperty("kind", out var k)) return 0;
        if (k.ValueKind == JsonValueKind.Number) return k.GetInt32();
        return k.GetString() switch
        {
            "SPAN_KIND_INTERNAL" => 1, "SPAN_KIND_SERVER" => 2, "SPAN_KIND_CLIENT" => 3, "SPAN_KIND_PRODUCER" => 4, "SPAN_KIND_CONSUMER" => 5,
            var other => int.TryParse(other, out var n) ? n : 0,
        };
    }

    private static Dictionary<string, string> Attributes(JsonElement e)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var kv in Array(e, "attributes"))
            if (kv.TryGetProperty("key", out var key) && kv.TryGetProperty("value", out var value))
                attributes[key.GetString() ?? ""] = Value(value);
        return attributes;
    }

    private static string Value(JsonElement anyValue)
    {
        foreach (var p in anyValue.EnumerateObject())
            return p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString() ?? "",
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => p.Value.GetRawText(),
                _ => p.Value.GetRawText(),
            };
        return anyValue.ValueKind == JsonValueKind.String ? anyValue.GetString() ?? "" : "";
    }
}
