using Billing.Contracts;
using Billing.Redrive.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Billing.Redrive.Tests;

public sealed class PoisonMessages : IAsyncLifetime
{
    public RabbitVhost Vhost { get; } = new();
    public FailingBus Bus { get; private set; } = null!;
    public List<(GenerateInvoice Message, string TraceId)> Sent { get; } = [];

    public async Task InitializeAsync()
    {
        await Vhost.InitializeAsync();
        Bus = await FailingBus.StartAsync(Vhost);
        Sent.AddRange(await Bus.DeadLetterAsync(Vhost, 3));
    }

    public async Task DisposeAsync()
    {
        await Bus.DisposeAsync();
        await Vhost.DisposeAsync();
    }
}

public sealed class When_a_consumer_keeps_failing(PoisonMessages fixture, ITestOutputHelper output) : IClassFixture<PoisonMessages>
{
    [Fact]
    public async Task Lists_the_error_queue_with_its_count_and_age()
    {
        var queues = await new DeadLetterQueues(fixture.Vhost.Options()).ListAsync();

        var error = Assert.Single(queues);
        Assert.Equal(FailingBus.ErrorQueue, error.Name);
        Assert.Equal(DeadLetterKind.Error, error.Kind);
        Assert.Equal(3, error.Messages);
        Assert.Equal(FailingBus.Queue, error.SourceQueue);
        Assert.NotNull(error.OldestAge);
        Assert.InRange(error.OldestAge!.Value, TimeSpan.FromSeconds(-5), TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task Peeks_fault_business_keys_and_trace_without_consuming()
    {
        var inspector = new DeadLetterInspector(fixture.Vhost.Options());

        var messages = await inspector.PeekAsync(FailingBus.ErrorQueue, 10);

        Assert.Equal(3, messages.Count);
        foreach (var m in messages) output.WriteLine($"{m.MessageId} {m.ExceptionType} retry={m.RetryCount} trace={m.TraceId} at={m.FaultedAt} input={m.InputAddress} consumer={m.ConsumerType}");
        foreach (var (sent, traceId) in fixture.Sent)
        {
            var m = Assert.Single(messages, x => x.BusinessKeys["accountId"] == sent.AccountId.ToString());
            Assert.Equal(sent.RunId.ToString(), m.BusinessKeys["runId"]);
            Assert.Equal("2026-10", m.BusinessKeys["period"]);
            Assert.Equal("System.InvalidOperationException", m.ExceptionType);
            Assert.Equal($"Stripe is down for account {sent.AccountId}", m.FaultReason);
            Assert.Equal("urn:message:Billing.Contracts:GenerateInvoice", m.MessageType);
            Assert.Equal(FailingBus.Queue, m.OriginalQueue);
            Assert.Equal(2, m.RetryCount);
            Assert.Equal(traceId, m.TraceId);
            Assert.NotNull(m.MessageId);
            Assert.NotNull(m.FaultedAt);
            Assert.Contains("InvoiceConsumer.Consume", m.Group.FirstFrame);
        }
        var again = await inspector.PeekAsync(FailingBus.ErrorQueue, 10);
        Assert.Equal(messages.Select(m => m.MessageId), again.Select(m => m.MessageId));
        Assert.All(again, m => Assert.True(m.Redelivered));
    }

    [Fact]
    public async Task Groups_alike_failures_into_one_group()
    {
        var groups = await new DeadLetterInspector(fixture.Vhost.Options()).GroupAsync(FailingBus.ErrorQueue);

        var group = Assert.Single(groups);
        Assert.Equal(3, group.Count);
        Assert.Equal("System.InvalidOperationException", group.Key.ExceptionType);
        Assert.Equal("urn:message:Billing.Contracts:GenerateInvoice", group.Key.MessageType);
        Assert.NotNull(group.FirstSeen);
        Assert.True(group.FirstSeen <= group.LastSeen);
        Assert.StartsWith("Stripe is down", group.SampleReason);
        Assert.Equal(12, group.Key.Id.Length);
    }

    [Fact]
    public async Task Prints_the_headers_MassTransit_writes()
    {
        await using var connection = await fixture.Vhost.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var result = await channel.BasicGetAsync(FailingBus.ErrorQueue, autoAck: false);
        Assert.NotNull(result);
        foreach (var (name, value) in result!.BasicProperties.Headers!)
            output.WriteLine($"{name} = {HeaderValues.AsString(value)?.Split('\n')[0]}");
        output.WriteLine(System.Text.Encoding.UTF8.GetString(result.Body.Span));
        await channel.BasicNackAsync(result.DeliveryTag, false, true);
        Assert.Contains(RedriveHeaders.FaultExceptionType, result.BasicProperties.Headers!.Keys);
    }

    [Fact]
    public async Task Refuses_a_peek_limit_out_of_range()
    {
        var inspector = new DeadLetterInspector(fixture.Vhost.Options());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => inspector.PeekAsync(FailingBus.ErrorQueue, 0));
        await Assert.ThrowsAsync<ArgumentException>(() => inspector.PeekAsync(" ", 5));
        await Assert.ThrowsAsync<QueueNotFoundException>(() => inspector.PeekAsync("no-such_error", 5));
    }
}
