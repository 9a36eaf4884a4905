using System.Text.Json;
using Billing.Contracts;
using Billing.RedriveService.Tests.Infrastructure;
using Billing.ServiceDefaults;
using Billing.Testing;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.RedriveService.Tests;

/// <summary>
/// Both processes, plus an in-process service host (real bus conventions) whose consumers fail: flaky-invoice until
/// the test fixes it, stubborn-invoice always. The redrive service parks a message after two redrives.
/// </summary>
public sealed class PoisonFixture : IAsyncLifetime
{
    public DlqEnvironment Env { get; private set; } = null!;
    public WebApplication Host { get; private set; } = null!;
    public ConsumerState State { get; } = new();

    public async Task InitializeAsync()
    {
        Env = await DlqEnvironment.StartAsync("dlqpoison", redriveSettings: new Dictionary<string, string?> { ["Redrive__MaxRedriveCount"] = "2" });
        Host = await InProcessService.StartAsync("poison-host", Env.Db, Env.Vhost,
            bus =>
            {
                bus.AddConsumer<FlakyInvoiceConsumer>();
                bus.AddConsumer<StubbornInvoiceConsumer>();
            },
            b => b.Services.AddSingleton(State),
            new Dictionary<string, string?> { ["RabbitMq:RetryLimit"] = "1" });
    }

    /// <summary>Sends to one queue inside a fresh trace; returns the trace id.</summary>
    public async Task<string> SendAsync(string queue, GenerateInvoice message)
    {
        var source = Host.Services.GetRequiredService<ServiceInfo>().ActivitySource;
        using var activity = source.StartActivity("test trigger");
        Assert.NotNull(activity);
        // The endpoint's own exchange: a queue: address would re-declare the quorum queue as a classic one and be refused.
        var endpoint = await Host.Services.GetRequiredService<ISendEndpointProvider>().GetSendEndpoint(new Uri($"exchange:{queue}"));
        await endpoint.Send(message);
        return activity.TraceId.ToHexString();
    }

    public Task WaitForCountAsync(string queue, long count) =>
        Eventually.Until(() => Env.CountAsync(queue), c => c == count, TimeSpan.FromSeconds(90));

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Env.DisposeAsync();
    }
}

public sealed class When_a_consumer_dead_letters_a_message(PoisonFixture fixture) : IClassFixture<PoisonFixture>
{
    private readonly DlqEnvironment env = fixture.Env;

    [Fact]
    public async Task Does_show_why_and_replays_it_once_after_the_fix()
    {
        const string Error = "flaky-invoice_error";
        var message = new GenerateInvoice(Guid.NewGuid(), Guid.NewGuid(), "2026-10");
        var traceId = await fixture.SendAsync("flaky-invoice", message);
        await fixture.WaitForCountAsync(Error, 1);

        var listed = (await env.GetJsonAsync("/api/dlq")).GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("queue").GetString() == Error);
        Assert.Equal(1, listed.GetProperty("messages").GetInt64());
        Assert.Equal("flaky-invoice", listed.GetProperty("source_queue").GetString());
        Assert.Equal(JsonValueKind.Number, listed.GetProperty("oldest_age_seconds").ValueKind);

        var group = Assert.Single((await env.GetJsonAsync($"/api/dlq/{Error}/groups")).GetProperty("groups").EnumerateArray());
        Assert.Equal("System.InvalidOperationException", group.GetProperty("exception_type").GetString());
        Assert.Contains("GenerateInvoice", group.GetProperty("message_type").GetString());
        Assert.Equal(1, group.GetProperty("count").GetInt32());
        Assert.Contains("Stripe is down", group.GetProperty("sample_reason").GetString());

        var peeked = Assert.Single((await env.GetJsonAsync($"/api/dlq/{Error}/messages?limit=10")).GetProperty("messages").EnumerateArray());
        var keys = peeked.GetProperty("business_keys");
        Assert.Equal(message.AccountId.ToString(), keys.GetProperty("accountId").GetString(), ignoreCase: true);
        Assert.Equal(message.RunId.ToString(), keys.GetProperty("runId").GetString(), ignoreCase: true);
        Assert.Equal("2026-10", keys.GetProperty("period").GetString());
        Assert.Equal(traceId, peeked.GetProperty("trace_id").GetString());
        Assert.Equal($"http://ui.test:18888/traces/detail/{traceId}", peeked.GetProperty("trace_url").GetString());
        Assert.Equal("flaky-invoice", peeked.GetProperty("original_queue").GetString());
        Assert.Equal(0, peeked.GetProperty("redrive_count").GetInt32());
        Assert.Contains("Stripe is down", peeked.GetProperty("fault_reason").GetString());

        var cliList = await env.CliAsync("dlq", "list");
        Assert.True(cliList.ExitCode == 0, cliList.ToString());
        Assert.Contains(Error, cliList.Stdout);
        var cliGroups = await env.CliAsync("dlq", "groups", Error);
        Assert.Contains("System.InvalidOperationException", cliGroups.Stdout);
        var cliShow = await env.CliAsync("dlq", "show", Error, "--json");
        Assert.True(cliShow.ExitCode == 0, cliShow.ToString());
        Assert.Contains(traceId, cliShow.Stdout);
        Assert.Contains(message.AccountId.ToString(), cliShow.Stdout, StringComparison.OrdinalIgnoreCase);
        var cliTable = await env.CliAsync("dlq", "show", Error);
        Assert.Contains(traceId, cliTable.Stdout);
        Assert.Contains($"trace link {peeked.GetProperty("message_id").GetString()} http://ui.test:18888/traces/detail/{traceId}", cliTable.Stdout);

        var unconfirmed = await env.CliAsync("dlq", "redrive", Error, "--all");
        Assert.Equal(1, unconfirmed.ExitCode);
        Assert.Contains("--yes", unconfirmed.Stderr);
        Assert.Equal(1, await env.CountAsync(Error));
        Assert.Equal(0, fixture.State.Successes);

        fixture.State.Broken = false;
        var redriven = await env.CliAsync("dlq", "redrive", Error, "--all", "--yes");

        Assert.True(redriven.ExitCode == 0, redriven.ToString());
        Assert.Contains("completed: 1 moved", redriven.Stdout);
        await Eventually.UntilValue(() => fixture.State.Successes, s => s >= 1, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, fixture.State.Successes);
        Assert.Equal(0, await env.CountAsync(Error));
    }

    [Fact]
    public async Task Does_park_a_message_that_keeps_failing_after_the_redrive_limit()
    {
        const string Error = "stubborn-invoice_error";
        const string Parked = "stubborn-invoice_parked";
        await fixture.SendAsync("stubborn-invoice", new GenerateInvoice(Guid.NewGuid(), Guid.NewGuid(), "2026-10"));
        await fixture.WaitForCountAsync(Error, 1);

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var job = await env.WaitForJobAsync(await env.StartJobAsync(Error, new { all = true }));
            Assert.Equal(1, job.GetProperty("moved").GetInt64());
            await fixture.WaitForCountAsync(Error, 1);
            var peeked = Assert.Single((await env.GetJsonAsync($"/api/dlq/{Error}/messages")).GetProperty("messages").EnumerateArray());
            Assert.Equal(attempt, peeked.GetProperty("redrive_count").GetInt32());
            Assert.Equal("System.TimeoutException", peeked.GetProperty("exception_type").GetString());
        }
        var last = await env.WaitForJobAsync(await env.StartJobAsync(Error, new { all = true }));

        Assert.Equal("completed", last.GetProperty("state").GetString());
        Assert.Equal(0, last.GetProperty("moved").GetInt64());
        Assert.Equal(1, last.GetProperty("parked").GetInt64());
        Assert.Equal(0, await env.CountAsync(Error));
        Assert.Equal(1, await env.CountAsync(Parked));
        var listed = (await env.GetJsonAsync("/api/dlq")).GetProperty("queues").EnumerateArray();
        Assert.Contains(listed, q => q.GetProperty("queue").GetString() == Parked && q.GetProperty("kind").GetString() == "parked");
    }
}
