using System.Diagnostics;

namespace Billing.EndToEnd.Tests.Infrastructure;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>The real <c>billing</c> CLI with extra environment (settings of the CLI itself), stdout and stderr apart.</summary>
public static class Cli
{
    public static async Task<CliResult> RunAsync(Pipeline pipeline, IDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root,
        };
        info.ArgumentList.Add(RepoPaths.ServiceDll("cli", "billing"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["BILLING_API_URL"] = pipeline.Admin.BaseUrl;
        info.Environment["BILLING_API_KEY"] = pipeline.ApiKey;
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment.Remove("BILLING_TRACE_UI_URL");
        foreach (var (k, v) in environment)
            if (v is null) info.Environment.Remove(k);
            else info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
