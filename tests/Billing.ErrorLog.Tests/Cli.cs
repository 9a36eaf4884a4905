using System.Diagnostics;
using Billing.Testing;

namespace Billing.ErrorLog.Tests;

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs the built <c>billing</c> CLI the way an operator does.</summary>
internal static class Cli
{
    public static async Task<CliResult> RunAsync(string apiUrl, string key, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(RepoPaths.ServiceDll("cli", "billing"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["BILLING_API_URL"] = apiUrl;
        info.Environment["BILLING_API_KEY"] = key;
        info.Environment["COLUMNS"] = "200";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await p.WaitForExitAsync(cts.Token);
        return new CliResult(p.ExitCode, await stdout, await stderr);
    }
}
