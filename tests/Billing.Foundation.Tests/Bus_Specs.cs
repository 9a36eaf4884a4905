using System.Diagnostics;
using System.Text;
using Billing.Contracts;
using Billing.ServiceDefaults;
using Billing.Testing;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace Billing.Foundation.Tests;

public sealed class When_one_service_publishes_and_another_consumes : IAsyncLifetime
{
    private TestDatabase db = null!;
    private TestVhost vhost = null!;
    private WebApplication publisher = null!;
    private WebApplication consumer = null!;
    private readonly Observed observed = new();

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("bus");
        vhost = await TestVhost.CreateAsync("bus");
        consumer = await InProcessService.StartAsync("svc-consumer", db, vhost,
            bus => bus.AddConsumer<TracingProbeConsumer>(),
            b => b.Services.AddSingleton(observed));
        publisher = await InProcessService.StartAsync("svc-publisher", db, vhost, _ => { });
    }

    public async Task DisposeAsync()
    {
        await publisher.DisposeAsync();
        await consumer.DisposeAsync();
        await vhost.DisposeAsync();
        await db.DisposeAsync();
    }

    [Fact]
    public async Task Consumer_span_carries_the_publishers_trace_id()
    {
        var accountId = Guid.NewGuid();
        var source = publisher.Services.GetRequiredService<ServiceInfo>().ActivitySource;
        ActivityTraceId sent;
        using (var activity = source.StartActivity("start run"))
        {
            Assert.NotNull(activity); // the service's own source is listened to by its tracer provider
            sent = activity.TraceId;
            await publisher.Services.GetRequiredService<IPublishEndpoint>().Publish(new GenerateInvoice(Guid.NewGuid(), accountId, "2026-10"));
        }

        var received = await Eventually.UntilValue(() => observed.Received.FirstOrDefault(r => r.AccountId == accountId), r => r.AccountId == accountId);
        Assert.Equal(sent, received.TraceId);
    }

    [Fact]
    public void Reports_no_usage_to_the_vendor()
    {
        // MassTransit's anonymous usage report (sent over the internet a few minutes after start) is off in every service.
        var options = consumer.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<UsageTelemetryOptions>>().Value;
        Assert.False(options.Enabled);
    }

    [Fact]
    public async Task Endpoint_queue_is_kebab_case_and_quorum()
    {
        var queue = await vhost.QueueAsync("tracing-probe");
        Assert.NotNull(queue);
        Assert.Equal("quorum", queue.Value.GetProperty("type").GetString());
    }
}

public sealed class When_a_consumer_keeps_failing : IAsyncLifetime
{
    private TestDatabase db = null!;
    private TestVhost vhost = null!;
    private WebApplication service = null!;
    private readonly Observed observed = new();
    private const int RetryLimit = 2;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("fault");
        vhost = await TestVhost.CreateAsync("fault");
        service = await InProcessService.StartAsync("svc-failing", db, vhost,
            bus => bus.AddConsumer<FailingProbeConsumer>(),
            b => b.Services.AddSingleton(observed),
            new Dictionary<string, string?> { ["RabbitMq:RetryLimit"] = RetryLimit.ToString() });
    }

    public async Task DisposeAsync()
    {
        await service.DisposeAsync();
        await vhost.DisposeAsync();
        await db.DisposeAsync();
    }

    [Fact]
    public async Task Message_lands_in_the_error_queue_with_fault_headers_after_the_retries()
    {
        var accountId = Guid.NewGuid();
        await service.Services.GetRequiredService<IPublishEndpoint>().Publish(new GenerateInvoice(Guid.NewGuid(), accountId, "2026-10"));

        var dead = await Eventually.Until<BasicGetResult?>(() => FindDeadLetterAsync(accountId), m => m is not null);
        Assert.Equal(RetryLimit + 1, observed.Attempts[accountId]);
        Assert.Equal("System.InvalidOperationException", Header(dead!, "MT-Fault-ExceptionType"));
        Assert.Equal("ledger unavailable", Header(dead!, "MT-Fault-Message"));
        Assert.Contains("failing-probe", Header(dead!, "MT-Fault-InputAddress"));
    }

    [Fact]
    public async Task Validation_failure_goes_there_without_retries()
    {
        var accountId = Guid.NewGuid();
        await service.Services.GetRequiredService<IPublishEndpoint>().Publish(new GenerateInvoice(Guid.NewGuid(), accountId, "invalid"));

        var dead = await Eventually.Until<BasicGetResult?>(() => FindDeadLetterAsync(accountId), m => m is not null);
        Assert.Equal("System.ComponentModel.DataAnnotations.ValidationException", Header(dead!, "MT-Fault-ExceptionType"));
        Assert.Equal(1, observed.Attempts[accountId]);
    }

    private static string? Header(BasicGetResult message, string name) =>
        message.BasicProperties.Headers is { } h && h.TryGetValue(name, out var v)
            ? v switch { byte[] b => Encoding.UTF8.GetString(b), _ => v?.ToString() }
            : null;

    /// <summary>Reads the error queue without consuming: every message is returned to the queue.</summary>
    private async Task<BasicGetResult?> FindDeadLetterAsync(Guid accountId)
    {
        var factory = new ConnectionFactory { Uri = new Uri(vhost.AmqpUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await channel.QueueDeclarePassiveAsync("failing-probe_error");
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return null;
        }
        await using var reader = await connection.CreateChannelAsync();
        BasicGetResult? found = null;
        var seen = new List<ulong>();
        try
        {
            while (await reader.BasicGetAsync("failing-probe_error", autoAck: false) is { } message)
            {
                seen.Add(message.DeliveryTag);
                if (Encoding.UTF8.GetString(message.Body.Span).Contains(accountId.ToString(), StringComparison.Ordinal)) found = message;
            }
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            // A quorum queue declared a moment ago may not serve reads yet ("noproc"): not found yet, ask again.
            return null;
        }
        foreach (var tag in seen) await reader.BasicNackAsync(tag, false, requeue: true);
        return found;
    }
}
