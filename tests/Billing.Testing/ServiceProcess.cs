using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Billing.Testing;

/// <summary>A Billing service running as its own process, the way it runs in production.</summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ServiceProcess(Process process, int port)
    {
        this.process = process;
        Port = port;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public int Port { get; }
    public string BaseUrl { get; }
    public int Pid => process.Id;
    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;

    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte> HandedOut = new();

    /// <summary>
    /// A port free now, for a process to listen on once started. Taken below the kernel's ephemeral range
    /// (32768–60999 on Linux), so that no outgoing connection of any test can be given it in the moment between this
    /// check and the process's bind; chosen at random so that concurrent test processes rarely try the same one; never
    /// handed out twice by this process, as services started together each check theirs before any of them binds it.
    /// </summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20000, 32000);
            if (!HandedOut.TryAdd(port, 0)) continue;
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use: try another.
            }
        }
        throw new InvalidOperationException("no free port between 20000 and 32000 on 127.0.0.1");
    }

    public static ServiceProcess Start(string folder, string assembly, IDictionary<string, string?> environment, int? port = null) =>
        Start(folder, assembly, environment, port, root: null);

    /// <param name="root">The checkout whose build to run (a benchmark's baseline); default: this one.</param>
    public static ServiceProcess Start(string folder, string assembly, IDictionary<string, string?> environment, int? port, string? root)
    {
        var p = port ?? FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root ?? RepoPaths.Root,
        };
        info.ArgumentList.Add(RepoPaths.ServiceDll(folder, assembly, root));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{p}");
        // Start from a clean slate: the test decides every setting the service sees.
        foreach (var key in info.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal)
                                                           || k == "BILLING_TRACE_UI_URL").ToList())
            info.Environment.Remove(key);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment)
            if (value is null) info.Environment.Remove(key); else info.Environment[key] = value;

        var proc = new Process { StartInfo = info, EnableRaisingEvents = true };
        var service = new ServiceProcess(proc, p);
        proc.OutputDataReceived += (_, e) => service.Append(e.Data);
        proc.ErrorDataReceived += (_, e) => service.Append(e.Data);
        proc.Start();
        proc.BeginOutputReadLine();
        proc.BeginErrorReadLine();
        return service;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    public async Task WaitHealthyAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                // HasExited can be seen before the redirected output is read to its end; this wait drains it, so that
                // the error carries what the service said as it stopped.
                process.WaitForExit();
                throw new InvalidOperationException($"service exited with {process.ExitCode} before it was healthy:\n{Output}");
            }
            try
            {
                var response = await http.GetAsync($"{BaseUrl}/health");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"service not healthy at {BaseUrl} in time:\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        process.WaitForExit(); // drains the redirected output
        return process.ExitCode;
    }

    /// <summary>SIGTERM, as an orchestrator stops a container; then waits for a clean exit.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (!process.HasExited) _ = Kill(process.Id, 15);
        return await WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(45));
    }

    /// <summary>SIGKILL: the process dies wherever it is, like a crashed pod.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            try { await StopAsync(TimeSpan.FromSeconds(20)); }
            catch (OperationCanceledException) { process.Kill(entireProcessTree: true); }
        }
        process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
