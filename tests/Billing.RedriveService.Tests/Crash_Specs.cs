using Billing.Redrive;
using Billing.RedriveService.Tests.Infrastructure;
using Billing.Testing;

namespace Billing.RedriveService.Tests;

public sealed class CrashFixture : IAsyncLifetime
{
    public const string Target = "bulk-invoice";
    public const string Error = Target + "_error";
    public const int Messages = 10_000;
    public static readonly Dictionary<string, string?> RedriveSettings = new() { ["Redrive__StaleJobSeconds"] = "3" };

    public DlqEnvironment Env { get; private set; } = null!;
    public HashSet<string> Ids { get; } = [];

    public async Task InitializeAsync()
    {
        Env = await DlqEnvironment.StartAsync("dlqcrash", redriveSettings: RedriveSettings);
        await using var connection = await Env.Vhost.ConnectAsync();
        await AmqpQueues.DeclareAsync(connection, Target, Error);
        var messages = Enumerable.Range(0, Messages).Select(_ =>
        {
            var id = Guid.NewGuid().ToString();
            Ids.Add(id);
            return DeadLetterFaults.Make(Env.Vhost.Name, Target, id, "System.TimeoutException", Guid.NewGuid());
        }).ToList();
        await AmqpQueues.PublishAsync(connection, Error, messages);
    }

    public async Task DisposeAsync() => await Env.DisposeAsync();
}

public sealed class When_the_redrive_service_is_killed_mid_job(CrashFixture fixture) : IClassFixture<CrashFixture>
{
    private readonly DlqEnvironment env = fixture.Env;

    [Fact]
    public async Task Does_lose_no_message_and_a_restarted_service_finishes_the_job()
    {
        var jobId = await env.StartJobAsync(CrashFixture.Error, new { all = true, rate = 1000, batch_size = 100 });
        await Eventually.Until(() => env.GetJsonAsync($"/api/dlq/jobs/{jobId}"), j => j.GetProperty("moved").GetInt64() >= 1500, TimeSpan.FromSeconds(120));

        await env.Redrive!.KillAsync();

        var running = await env.GetJsonAsync($"/api/dlq/jobs/{jobId}");
        Assert.Equal("running", running.GetProperty("state").GetString());
        Assert.True(running.GetProperty("moved").GetInt64() < CrashFixture.Messages, "the job must be killed before it finished");
        // The broker hands the killed connection's unacked messages back to the dead-letter queue.
        var counts = await Eventually.Until(async () => (await env.CountAsync(CrashFixture.Error) ?? 0) + (await env.CountAsync(CrashFixture.Target) ?? 0),
            total => total >= CrashFixture.Messages, TimeSpan.FromSeconds(30));
        Assert.True(counts >= CrashFixture.Messages);
        var seen = await IdsInAsync(CrashFixture.Error, CrashFixture.Target);
        Assert.Empty(fixture.Ids.Except(seen));

        await env.StartRedrive(CrashFixture.RedriveSettings).WaitHealthyAsync();
        var finished = await env.WaitForJobAsync(jobId, TimeSpan.FromMinutes(3));

        Assert.Equal("completed", finished.GetProperty("state").GetString());
        Assert.True(finished.GetProperty("attempts").GetInt32() >= 2);
        // The counts of the batches confirmed after the killed service's last progress write are not in the row,
        // so "moved" may fall short by those; the messages themselves are all delivered (below).
        Assert.True(finished.GetProperty("moved").GetInt64() > running.GetProperty("moved").GetInt64());
        Assert.Equal(0, await env.CountAsync(CrashFixture.Error));
        var delivered = await IdsInAsync(CrashFixture.Target);
        Assert.Empty(fixture.Ids.Except(delivered));
    }

    private async Task<HashSet<string>> IdsInAsync(params string[] queues)
    {
        var inspector = new DeadLetterInspector(env.Options);
        var ids = new HashSet<string>();
        foreach (var queue in queues)
            foreach (var message in await inspector.PeekAsync(queue, 50_000))
                ids.Add(message.MessageId!);
        return ids;
    }
}
