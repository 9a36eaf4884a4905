using Billing.Contracts;
using Billing.Redrive.Tests.Infrastructure;

namespace Billing.Redrive.Tests;

public sealed class When_a_message_keeps_failing_after_redrives : IAsyncLifetime
{
    private readonly RabbitVhost _vhost = new();

    public Task InitializeAsync() => _vhost.InitializeAsync();

    public Task DisposeAsync() => _vhost.DisposeAsync();

    [Fact]
    public async Task Parks_it_once_the_redrive_limit_is_reached()
    {
        await using var bus = await FailingBus.StartAsync(_vhost);
        await using var connection = await _vhost.ConnectAsync();
        var redriver = new Redriver(_vhost.Options(maxRedriveCount: 2));
        await bus.SendAsync(new GenerateInvoice(Guid.NewGuid(), Guid.NewGuid(), "2026-10"));
        await Broker.WaitForCountAsync(connection, FailingBus.ErrorQueue, 1);

        var counts = new List<int>();
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var result = await redriver.RunAsync(new RedriveRequest(FailingBus.ErrorQueue, "dfr"));
            Assert.Equal(1, result.Moved);
            await Broker.WaitForCountAsync(connection, FailingBus.ErrorQueue, 1);
            counts.Add(Assert.Single(await new DeadLetterInspector(_vhost.Options()).PeekAsync(FailingBus.ErrorQueue)).RedriveCount);
        }
        var last = await redriver.RunAsync(new RedriveRequest(FailingBus.ErrorQueue, "dfr"));

        Assert.Equal([1, 2], counts);
        Assert.Equal(0, last.Moved);
        Assert.Equal(1, last.Parked);
        Assert.Equal(0u, await Broker.CountAsync(connection, FailingBus.ErrorQueue));
        var parked = Assert.Single(await Broker.DrainAsync(connection, "generate-invoice_parked"));
        Assert.Equal("2", parked.Header(RedriveHeaders.RedriveCount));
        Assert.Equal("System.InvalidOperationException", parked.Header(RedriveHeaders.FaultExceptionType));
        var listed = await new DeadLetterQueues(_vhost.Options()).ListAsync();
        Assert.Contains(listed, q => q.Name == "generate-invoice_parked" && q.Kind == DeadLetterKind.Parked);
    }
}
