using System.Diagnostics;
using Billing.Testing;

namespace Billing.Accounting.Tests;

/// <summary>Runs the built <c>billing</c> CLI against an admin API.</summary>
public static class Cli
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string apiUrl, string apiKey, params string[] args)
    {
        var dll = Path.Combine(Path.GetDirectoryName(RepoPaths.ServiceDll("admin-api", "Billing.AdminApi"))!
            .Replace(Path.Combine("services", "admin-api"), Path.Combine("services", "cli")), "billing.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["BILLING_API_URL"] = apiUrl;
        info.Environment["BILLING_API_KEY"] = apiKey;
        info.Environment["COLUMNS"] = "250";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
