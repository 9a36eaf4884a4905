using System.Diagnostics;
using Billing.Testing;

namespace Billing.Bench.Pipeline;

/// <summary>
/// The quick start's trace UI (the Aspire Dashboard), started by <c>deploy/local/dashboard.sh</c> with a state
/// directory of its own and free ports, so that a benchmark exporting telemetry never meets a developer's dashboard.
/// </summary>
public sealed class BenchDashboard : IAsyncDisposable
{
    /// <summary>Its name among the sampled processes.</summary>
    public const string Name = "dashboard";

    private readonly Dictionary<string, string> scriptEnvironment;

    private BenchDashboard(Dictionary<string, string> scriptEnvironment, Dictionary<string, string> settings, int pid)
    {
        this.scriptEnvironment = scriptEnvironment;
        Url = settings["BILLING_DASHBOARD_URL"];
        Pid = pid;
        ExporterSettings = new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = settings["OTEL_EXPORTER_OTLP_ENDPOINT"],
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = settings["OTEL_EXPORTER_OTLP_PROTOCOL"],
            ["OTEL_EXPORTER_OTLP_HEADERS"] = settings["OTEL_EXPORTER_OTLP_HEADERS"],
        };
    }

    public string Url { get; }
    public int Pid { get; }

    /// <summary>What the quick start sets in the services (the exporters' own intervals are kept).</summary>
    public IReadOnlyDictionary<string, string?> ExporterSettings { get; }

    public static async Task<BenchDashboard> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("billing-bench-dashboard-").FullName;
        var env = new Dictionary<string, string>
        {
            ["BILLING_DASHBOARD_DIR"] = dir,
            ["BILLING_DASHBOARD_PORT"] = ServiceProcess.FreePort().ToString(),
            ["BILLING_OTLP_GRPC_PORT"] = ServiceProcess.FreePort().ToString(),
            ["BILLING_OTLP_HTTP_PORT"] = ServiceProcess.FreePort().ToString(),
        };
        var (exit, stdout, stderr) = await RunAsync(env, TimeSpan.FromMinutes(10), "start");
        if (exit != 0) throw new InvalidOperationException($"dashboard.sh start exited {exit}:\n{stderr}\n{stdout}");
        var settings = new Dictionary<string, string>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (line.StartsWith("export ", StringComparison.Ordinal) && line.IndexOf('=') is var eq and > 7)
                settings[line[7..eq]] = line[(eq + 1)..].Trim('"');
        var pid = int.Parse(File.ReadAllText(Path.Combine(dir, "dashboard.pid")).Trim());
        return new BenchDashboard(env, settings, pid);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(Dictionary<string, string> env, TimeSpan timeout, string command)
    {
        var info = new ProcessStartInfo("bash")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root,
        };
        info.ArgumentList.Add(Path.Combine(RepoPaths.Root, "deploy", "local", "dashboard.sh"));
        info.ArgumentList.Add(command);
        foreach (var (k, v) in env) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync(scriptEnvironment, TimeSpan.FromMinutes(1), "stop");
        try { Directory.Delete(scriptEnvironment["BILLING_DASHBOARD_DIR"], true); } catch (IOException) { }
    }
}
