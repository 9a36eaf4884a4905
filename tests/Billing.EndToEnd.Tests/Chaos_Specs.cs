using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Billing.EndToEnd.Tests.Infrastructure;
using Billing.Testing;
using Xunit.Abstractions;

namespace Billing.EndToEnd.Tests;

/// <summary>
/// A bounded chaos schedule over a 1,000-account run: every consumer service is killed with SIGKILL twice and restarted,
/// the SMTP server is down for a while, and the RabbitMQ broker is restarted once (the shared one: this test is in the
/// category Exclusive, which deploy/local/test.sh runs alone after every other test). Then an operator recovers with the
/// CLI only, doing what <c>billing run status</c> says next, and the test checks every invariant of the run and that
/// the error log ends with no open group and no dead letter left.
/// Time budget: <see cref="Budget"/> for the whole test on a 2-core machine.
/// </summary>
[Trait("Category", "Exclusive")]
public sealed partial class When_services_crash_and_the_broker_and_mail_go_away_during_a_run(ITestOutputHelper log) : IAsyncLifetime
{
    private const int Accounts = 1000;
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(4);
    private static readonly string[] Consumers = ["invoice-generator", "pdf-renderer", "mailer", "accounting-sync", "redrive"];
    private static readonly Dictionary<string, string?> Settings = new() { ["ErrorLog__AutoResolveEvery"] = "00:00:02" };
    private Pipeline pipeline = null!;

    public async Task InitializeAsync()
    {
        pipeline = await Pipeline.CreateAsync("e2echaos");
        pipeline.StartSmtp();
        await Seed.RunAsync(pipeline.Db.DataSource, Accounts, Pipeline.Period);
        await pipeline.StartAllAsync(new Dictionary<string, IDictionary<string, string?>> { ["redrive"] = Settings });
    }

    public Task DisposeAsync() => pipeline.DisposeAsync().AsTask();

    [Fact]
    public async Task Does_end_with_every_invariant_no_open_error_group_and_no_dead_letter_after_a_cli_recovery()
    {
        var clock = Stopwatch.StartNew();
        var (started, startOutput) = await pipeline.CliAsync(TimeSpan.FromMinutes(1), "run", "start", "--period", Pipeline.Period);
        Assert.True(started == 0, startOutput);
        var runId = await pipeline.RunIdAsync();

        // The schedule: two rounds over every consumer, one SIGKILL each, the mail server away in the first round
        // and the broker restarted in the second.
        var mailerKills = 0;
        for (var round = 1; round <= 2; round++)
        {
            foreach (var service in Consumers)
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
                if (round == 1 && service == "mailer") pipeline.KillSmtp();
                var process = pipeline.Of(service).First();
                await process.KillAsync();
                if (service == "mailer") mailerKills++;
                await pipeline.RestartAsync(process, service, service == "redrive" ? Settings : null);
                if (round == 1 && service == "accounting-sync") pipeline.StartSmtp();
                if (round == 2 && service == "pdf-renderer") await RestartBrokerAsync();
            }
        }

        // Recovery through the CLI only: do what the run status says next until the run is completed.
        var commands = new List<string>();
        string status = "";
        for (var step = 0; step < 12; step++)
        {
            var (code, output) = await pipeline.CliAsync(TimeSpan.FromMinutes(1), "run", "status", runId.ToString());
            Assert.True(code == 0, output);
            status = output;
            var next = NextCommands().Matches(output).Select(m => m.Groups[1].Value.Trim()).Distinct().ToList();
            if (output.Contains($"{Pipeline.Period}: completed\n", StringComparison.Ordinal) || output.Contains($"{Pipeline.Period}: completed,", StringComparison.Ordinal))
            {
                if (next.Count == 0) break;
            }
            else if (!output.Contains($"{Pipeline.Period}: needs_attention", StringComparison.Ordinal))
            {
                // Still running: the restarted services are catching up.
                await Task.Delay(TimeSpan.FromSeconds(3));
                continue;
            }
            foreach (var command in next)
            {
                var args = command.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
                if (args is ["dlq", "redrive", ..]) args.Add("--yes");
                commands.Add(string.Join(' ', args));
                var (exit, result) = await pipeline.CliAsync(TimeSpan.FromMinutes(2), [.. args]);
                Assert.True(exit == 0, $"billing {string.Join(' ', args)} exited {exit}:\n{result}");
            }
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        Assert.True(await pipeline.RunStatusAsync(runId) == "completed", $"run not completed after the CLI recovery ({string.Join("; ", commands)}):\n{status}\n{pipeline.Logs()}");
        var run = await pipeline.GetJsonAsync($"/api/runs/{runId}");
        Assert.Equal("completed", run.GetProperty("summary").GetString());
        Assert.Equal(0, run.GetProperty("dead_letters").GetProperty("total").GetInt32());

        log.WriteLine($"run completed after {clock.Elapsed}; CLI recovery: {(commands.Count == 0 ? "nothing to do" : string.Join("; ", commands))}");
        foreach (var h in run.GetProperty("history").EnumerateArray())
            log.WriteLine($"  {h.GetProperty("from").GetString()} → {h.GetProperty("to").GetString()}: {h.GetProperty("reason").GetString()}");
        var groups = await pipeline.GetJsonAsync("/api/errors?limit=1000");
        foreach (var g in groups.GetProperty("errors").EnumerateArray())
            log.WriteLine($"  error {g.GetProperty("id")} {g.GetProperty("status").GetString()} {g.GetProperty("service").GetString()} {g.GetProperty("message_type").GetString()} " +
                          $"{g.GetProperty("error_type").GetString()} ×{g.GetProperty("occurrence_count")} over {g.GetProperty("affected_counts").GetProperty("invoices")} invoices, " +
                          $"stage {g.GetProperty("stage")}: {g.GetProperty("message").GetString()}");

        // Every invariant: one invoice, PDF, email (at most the in-flight window duplicated per mailer kill), balanced entry.
        await pipeline.AssertRunInvariantsAsync(runId, Accounts, maxDuplicateEmails: 16 * mailerKills);

        // The error log: groups whose work went through resolve themselves; whatever else is open the operator resolves
        // by filter, and none of it may be about an invoice stage (those must have resolved themselves).
        var open = await Eventually.Until(() => OpenGroupsAsync(), g => g.All(e => e.GetProperty("stage").ValueKind == JsonValueKind.Null), TimeSpan.FromSeconds(60));
        var all = (await pipeline.GetJsonAsync("/api/errors?limit=1000")).GetProperty("errors").EnumerateArray().ToList();
        // One group per cause: a storm of one failure is one counted group, not a row per message.
        Assert.All(all.GroupBy(g => (g.GetProperty("service").GetString(), g.GetProperty("message_type").GetString(), g.GetProperty("error_type").GetString())),
            cause => Assert.Single(cause));
        foreach (var g in all.Where(g => g.GetProperty("stage").ValueKind == JsonValueKind.String))
        {
            var shown = await pipeline.GetJsonAsync($"/api/errors/{g.GetProperty("id")}");
            Assert.Equal("resolved", shown.GetProperty("status").GetString());
            Assert.Contains("resolved automatically at ", shown.GetProperty("notes").GetString());
            Assert.Equal(g.GetProperty("affected_counts").GetProperty("invoices").GetInt32(),
                shown.GetProperty("affected").GetProperty("invoices").GetProperty("total").GetInt32());
        }
        if (open.Count > 0)
        {
            var (resolved, output) = await pipeline.CliAsync(TimeSpan.FromMinutes(1), "errors", "resolve", "--status", "open", "--note", "chaos drill: services killed, mail and broker away; run recovered");
            Assert.True(resolved == 0, output);
        }
        Assert.Empty(await OpenGroupsAsync());
        var (listed, list) = await pipeline.CliAsync(TimeSpan.FromMinutes(1), "dlq", "list");
        Assert.True(listed == 0, list);
        // Piped, the list is tab-separated: queue, messages, oldest, source. No dead-letter queue holds anything.
        var deadLetterRows = list.Split('\n').Select(l => l.Split('\t')).Where(c => c.Length >= 2 && Regex.IsMatch(c[0], "_(error|skipped|parked)$")).ToList();
        // A run in which no message ever failed has no dead-letter queue at all (they are made at the first fault):
        // then the CLI says so; otherwise every one it lists is empty.
        if (deadLetterRows.Count == 0) Assert.Contains("nothing to list", list);
        Assert.All(deadLetterRows, c => Assert.True(c[1] == "0", $"{c[0]} holds {c[1]} messages"));
        log.WriteLine($"done after {clock.Elapsed} (budget {Budget})");
        Assert.True(clock.Elapsed < Budget, $"the chaos test took {clock.Elapsed}, over its budget of {Budget}");
    }

    private async Task<List<JsonElement>> OpenGroupsAsync()
    {
        var open = new List<JsonElement>();
        foreach (var status in new[] { "open", "needs_attention", "in_progress" })
            open.AddRange((await pipeline.GetJsonAsync($"/api/errors?status={status}&limit=1000")).GetProperty("errors").EnumerateArray());
        return open;
    }

    /// <summary>
    /// Restarts the RabbitMQ application of the local servers (deploy/local/servers.sh restart-rabbitmq): every
    /// connection drops and the queues come back from disk; the services reconnect on their own.
    /// </summary>
    private async Task RestartBrokerAsync()
    {
        using var http = TestVhost.Management();
        var before = JsonDocument.Parse(await http.GetStringAsync($"api/vhosts/{Uri.EscapeDataString(pipeline.Vhost.Name)}/connections")).RootElement;
        Assert.True(before.GetArrayLength() > 0, "no connection of the run's virtual host to drop");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(RepoPaths.Root, "deploy", "local", "servers.sh"));
        info.ArgumentList.Add("restart-rabbitmq");
        using var restart = Process.Start(info)!;
        var output = restart.StandardOutput.ReadToEndAsync();
        var error = restart.StandardError.ReadToEndAsync();
        await restart.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(restart.ExitCode == 0, $"the broker restart failed: {await output}{await error}");
        log.WriteLine($"broker restarted: {before.GetArrayLength()} connections of the run dropped");
    }

    [GeneratedRegex(@"— next: (billing [^\n]+)")]
    private static partial Regex NextCommands();
}
