using Billing.RedriveService.Tests.Infrastructure;
using Billing.Testing;

namespace Billing.RedriveService.Tests;

public sealed class CancelFixture : IAsyncLifetime
{
    public const string Target = "slow-invoice";
    public const string Error = Target + "_error";
    public const int Messages = 2000;

    public DlqEnvironment Env { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Env = await DlqEnvironment.StartAsync("dlqcancel");
        await using var connection = await Env.Vhost.ConnectAsync();
        await AmqpQueues.DeclareAsync(connection, Target, Error);
        await AmqpQueues.PublishAsync(connection, Error, Enumerable.Range(0, Messages)
            .Select(_ => DeadLetterFaults.Make(Env.Vhost.Name, Target, Guid.NewGuid().ToString(), "System.TimeoutException", Guid.NewGuid())).ToList());
    }

    public async Task DisposeAsync() => await Env.DisposeAsync();
}

public sealed class When_an_operator_cancels_a_redrive(CancelFixture fixture) : IClassFixture<CancelFixture>
{
    private readonly DlqEnvironment env = fixture.Env;

    [Fact]
    public async Task Does_stop_it_and_leave_the_rest_dead_lettered()
    {
        var jobId = await env.StartJobAsync(CancelFixture.Error, new { all = true, rate = 100 });
        await Eventually.Until(() => env.GetJsonAsync($"/api/dlq/jobs/{jobId}"), j => j.GetProperty("moved").GetInt64() > 0, TimeSpan.FromSeconds(60));

        var cancel = await env.CliAsync("dlq", "cancel", jobId);
        var job = await env.WaitForJobAsync(jobId);

        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Equal("cancelled", job.GetProperty("state").GetString());
        var moved = job.GetProperty("moved").GetInt64();
        Assert.InRange(moved, 1, CancelFixture.Messages - 1);
        Assert.Equal(moved, await env.CountAsync(CancelFixture.Target));
        Assert.Equal(CancelFixture.Messages - moved, await env.CountAsync(CancelFixture.Error));
        var again = await env.PostAsync($"/api/dlq/jobs/{jobId}/cancel", null);
        Assert.Equal(409, again.Status);
    }
}

public sealed class When_the_redrive_service_has_a_bad_setting
{
    [Theory]
    [InlineData("RabbitMq__ManagementUrl", "ftp://127.0.0.1/")]
    [InlineData("Redrive__MaxRedriveCount", "0")]
    [InlineData("Redrive__StaleJobSeconds", "soon")]
    public async Task Does_exit_2_naming_the_setting(string setting, string value)
    {
        await using var db = await TestDatabase.CreateAsync("dlqset");
        await using var vhost = await TestVhost.CreateAsync("dlqset");
        var settings = DlqEnvironment.Settings(db, vhost);
        settings[setting] = value;
        await using var service = ServiceProcess.Start("redrive", "Billing.Redrive.Service", settings);

        var exit = await service.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(2, exit);
        Assert.Contains(setting, service.Output);
    }
}
