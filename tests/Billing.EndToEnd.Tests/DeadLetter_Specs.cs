using Billing.EndToEnd.Tests.Infrastructure;
using Billing.Testing;

namespace Billing.EndToEnd.Tests;

/// <summary>Journey 2: the SMTP server is down during the run, every email ends in the mailer's error queue, the run
/// needs attention; once the server is back an operator redrives the queue with the CLI and the run completes with
/// nothing duplicated.</summary>
public sealed class When_mails_fail_into_the_dead_letter_queue_and_are_redriven : IAsyncLifetime
{
    private const int Accounts = 30;
    private const string ErrorQueue = "invoice-pdf-rendered_error";
    private Pipeline pipeline = null!;

    public async Task InitializeAsync()
    {
        pipeline = await Pipeline.CreateAsync("e2edlq");
        await Seed.RunAsync(pipeline.Db.DataSource, Accounts, Pipeline.Period);
        // No SMTP server yet: the mailer's health is degraded (still 200), sending fails with connection refused.
        await pipeline.StartAllAsync();
    }

    public Task DisposeAsync() => pipeline.DisposeAsync().AsTask();

    [Fact]
    public async Task Does_complete_the_run_after_the_redrive_with_one_email_per_invoice()
    {
        var (exit, output) = await pipeline.CliAsync(TimeSpan.FromMinutes(10), "run", "start", "--period", Pipeline.Period, "--watch");
        Assert.True(exit == 1, $"billing run start --watch should exit 1 (needs attention), exited {exit}:\n{output}\n{pipeline.Logs()}");
        Assert.Contains("needs attention", output);

        var runId = await pipeline.RunIdAsync();
        var run = await pipeline.GetJsonAsync($"/api/runs/{runId}");
        Assert.Equal("needs_attention", run.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(Accounts, run.GetProperty("counts").GetProperty("failed").GetInt32());
        Assert.Equal(0, run.GetProperty("counts").GetProperty("emailed").GetInt32());
        await Eventually.Until(() => pipeline.QueueNumberAsync(ErrorQueue, "messages"),
            n => n == Accounts, TimeSpan.FromMinutes(2));
        Assert.Empty(MaildirReader.Read(pipeline.Maildir));

        pipeline.StartSmtp();
        var (redriveExit, redriveOutput) = await pipeline.CliAsync(TimeSpan.FromMinutes(5), "dlq", "redrive", ErrorQueue, "--all", "--yes");
        Assert.True(redriveExit == 0, $"billing dlq redrive exited {redriveExit}:\n{redriveOutput}\n{pipeline.Logs()}");

        await pipeline.WaitCompletedAsync(runId);
        await pipeline.AssertRunInvariantsAsync(runId, Accounts);
        var done = await pipeline.GetJsonAsync($"/api/runs/{runId}");
        Assert.Equal(0, done.GetProperty("counts").GetProperty("failed").GetInt32());
        Assert.Equal(Accounts, done.GetProperty("counts").GetProperty("emailed").GetInt32());
        await Eventually.Until(() => pipeline.QueueNumberAsync(ErrorQueue, "messages"), n => n == 0, TimeSpan.FromMinutes(1));
    }
}
