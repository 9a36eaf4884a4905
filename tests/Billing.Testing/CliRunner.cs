using System.Diagnostics;
using System.Text;

namespace Billing.Testing;

/// <summary>What one run of the <c>billing</c> CLI printed and how it ended.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Stdout and stderr together, in the order the CLI wrote them (what a terminal shows).</summary>
    public string Output { get; init; } = Stdout + Stderr;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// The real <c>billing</c> CLI (services/cli, as built) run the way an operator runs it: against one admin API with
/// one key, its output into a pipe. Every setting the CLI reads comes from here, not from the shell that runs the tests.
/// </summary>
public sealed record CliRunner(string ApiUrl, string ApiKey)
{
    private static readonly IReadOnlyDictionary<string, string?> NoEnvironment = new Dictionary<string, string?>();

    /// <summary>More environment for the CLI (e.g. BILLING_TRACE_UI_URL); a null value removes the variable.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = NoEnvironment;

    /// <summary>The terminal width tables are laid out for (COLUMNS); null: none, rows are kept whole.</summary>
    public int? Columns { get; init; }

    /// <summary>What the CLI reads on stdin before its end; null: stdin ends at once, so nothing waits for a confirmation.</summary>
    public string? Stdin { get; init; }

    /// <summary>How long one command may take; then it is killed and the run fails with a <see cref="TimeoutException"/>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    public async Task<CliResult> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        info.ArgumentList.Add(RepoPaths.ServiceDll("cli", "billing"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove("BILLING_TRACE_UI_URL");
        info.Environment.Remove("COLUMNS");
        info.Environment["BILLING_API_URL"] = ApiUrl;
        info.Environment["BILLING_API_KEY"] = ApiKey;
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (Columns is { } columns) info.Environment["COLUMNS"] = columns.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, value) in Environment)
            if (value is null) info.Environment.Remove(key); else info.Environment[key] = value;

        using var process = Process.Start(info)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var both = new StringBuilder();
        var reading = Task.WhenAll(PumpAsync(process.StandardOutput, stdout, both), PumpAsync(process.StandardError, stderr, both));
        try
        {
            if (Stdin is not null) await process.StandardInput.WriteAsync(Stdin);
            process.StandardInput.Close();
        }
        catch (IOException) { } // the CLI ended without reading it all
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await reading;
            throw new TimeoutException($"billing {string.Join(' ', args)} did not finish in {Timeout}:\n{both}");
        }
        await reading;
        return new CliResult(process.ExitCode, stdout.ToString(), stderr.ToString()) { Output = both.ToString() };
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder own, StringBuilder both)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            own.Append(buffer, 0, read);
            lock (both) both.Append(buffer, 0, read);
        }
    }
}
