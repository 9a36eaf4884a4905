using System.Text.Json;
using Billing.Redrive;
using Billing.RedriveService.Tests.Infrastructure;

namespace Billing.RedriveService.Tests;

/// <summary>Both processes over 30 dead-lettered messages: every third failed with a TimeoutException.</summary>
public sealed class FilterFixture : IAsyncLifetime
{
    public const string Target = "ledger-post";
    public const string Error = Target + "_error";
    private DlqEnvironment env = null!;

    public DlqEnvironment Env => env;
    public List<string> Timeouts { get; } = [];
    public List<string> Others { get; } = [];

    public async Task InitializeAsync()
    {
        env = await DlqEnvironment.StartAsync("dlqfilter");
        await using var connection = await env.Vhost.ConnectAsync();
        await AmqpQueues.DeclareAsync(connection, Target, Error);
        var messages = new List<(RabbitMQ.Client.BasicProperties, byte[])>();
        for (var i = 0; i < 30; i++)
        {
            var id = Guid.NewGuid().ToString();
            var timeout = i % 3 == 0;
            (timeout ? Timeouts : Others).Add(id);
            messages.Add(DeadLetterFaults.Make(env.Vhost.Name, Target, id, timeout ? "System.TimeoutException" : "System.InvalidOperationException", Guid.NewGuid()));
        }
        await AmqpQueues.PublishAsync(connection, Error, messages);
    }

    public async Task DisposeAsync() => await env.DisposeAsync();
}

public sealed class When_only_some_dead_lettered_messages_match(FilterFixture fixture) : IClassFixture<FilterFixture>
{
    private const string Target = FilterFixture.Target;
    private const string Error = FilterFixture.Error;
    private readonly DlqEnvironment env = fixture.Env;

    [Fact]
    public async Task Moves_exactly_the_matching_ones_and_the_dry_run_predicts_it()
    {
        var filter = new { exception_type = "System.TimeoutException" };

        var (planStatus, plan, _) = await env.PostAsync($"/api/dlq/{Error}/redrive", new { exception_type = "System.TimeoutException", dry_run = true });
        Assert.Equal(200, planStatus);
        Assert.Equal(30, await env.CountAsync(Error));
        Assert.Equal(0, await env.CountAsync(Target));

        var job = await env.WaitForJobAsync(await env.StartJobAsync(Error, filter));

        Assert.Equal("completed", job.GetProperty("state").GetString());
        Assert.Equal("dfr", job.GetProperty("requested_by").GetString());
        Assert.Equal(10, plan.GetProperty("moved").GetInt64());
        Assert.Equal(20, plan.GetProperty("skipped").GetInt64());
        Assert.Equal(10, plan.GetProperty("by_target_queue").GetProperty(Target).GetInt64());
        Assert.Equal("System.TimeoutException", Assert.Single(plan.GetProperty("groups").EnumerateArray()).GetProperty("exception_type").GetString());
        Assert.Equal(plan.GetProperty("moved").GetInt64(), job.GetProperty("moved").GetInt64());
        Assert.Equal(plan.GetProperty("skipped").GetInt64(), job.GetProperty("skipped").GetInt64());
        Assert.Equal(20, await env.CountAsync(Error));
        var delivered = await new DeadLetterInspector(env.Options).PeekAsync(Target, 100);
        Assert.Equal(fixture.Timeouts.Order(), delivered.Select(m => m.MessageId!).Order());
        var left = await new DeadLetterInspector(env.Options).PeekAsync(Error, 100);
        Assert.Equal(fixture.Others.Order(), left.Select(m => m.MessageId!).Order());

        var audit = (await env.GetJsonAsync($"/api/dlq/audit?queue={Error}")).GetProperty("entries").EnumerateArray()
            .Where(e => e.GetProperty("filter").TryGetProperty("exception_type", out _)).ToList();
        var dry = Assert.Single(audit, e => e.GetProperty("dry_run").GetBoolean());
        var real = Assert.Single(audit, e => !e.GetProperty("dry_run").GetBoolean());
        Assert.Equal(10, dry.GetProperty("moved").GetInt64());
        Assert.Equal(10, real.GetProperty("moved").GetInt64());
        Assert.Equal("dfr", real.GetProperty("requested_by").GetString());
        Assert.Equal("System.TimeoutException", real.GetProperty("filter").GetProperty("exception_type").GetString());
    }

    [Fact]
    public async Task The_cli_dry_run_shows_the_plan_and_moves_nothing()
    {
        var before = await env.CountAsync(Error);
        var before_target = await env.CountAsync(Target);
        var key = $"accountId={await AnyAccountIdAsync()}";

        var result = await env.CliAsync("dlq", "redrive", Error, "--key", key, "--dry-run");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("plan: 1 to redrive", result.Stdout);
        Assert.Equal(before, await env.CountAsync(Error));
        Assert.Equal(before_target, await env.CountAsync(Target));
    }

    [Fact]
    public async Task Archives_and_restores_by_filter_and_purges_only_when_confirmed()
    {
        const string Queue = "archive-me_error";
        await using (var connection = await env.Vhost.ConnectAsync())
        {
            await AmqpQueues.DeclareAsync(connection, Queue);
            await AmqpQueues.PublishAsync(connection, Queue, Enumerable.Range(0, 4).Select(i =>
                DeadLetterFaults.Make(env.Vhost.Name, "archive-me", Guid.NewGuid().ToString(), i == 0 ? "System.TimeoutException" : "System.FormatException", Guid.NewGuid())));
        }

        var archived = await env.CliAsync("dlq", "archive", Queue, "--exception", "System.FormatException");
        Assert.True(archived.ExitCode == 0, archived.ToString());
        Assert.Equal(1, await env.CountAsync(Queue));
        Assert.Equal(3, await env.CountAsync(Queue + "_archive"));

        var (restoreStatus, restored, _) = await env.PostAsync($"/api/dlq/{Queue}/restore", new { all = true });
        Assert.Equal(200, restoreStatus);
        Assert.Equal(3, restored.GetProperty("moved").GetInt64());
        Assert.Equal(4, await env.CountAsync(Queue));

        var purged = await env.CliAsync("dlq", "purge", Queue, "--confirm", Queue, "--expected", "4");
        Assert.True(purged.ExitCode == 0, purged.ToString());
        Assert.Equal(0, await env.CountAsync(Queue));
        var actions = (await env.GetJsonAsync($"/api/dlq/audit?queue={Queue}")).GetProperty("entries").EnumerateArray()
            .Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("purge", actions);
        Assert.Contains("archive", actions);
    }

    private async Task<string> AnyAccountIdAsync()
    {
        var messages = await env.GetJsonAsync($"/api/dlq/{Error}/messages?limit=1");
        return messages.GetProperty("messages")[0].GetProperty("business_keys").GetProperty("accountId").GetString()!;
    }
}
