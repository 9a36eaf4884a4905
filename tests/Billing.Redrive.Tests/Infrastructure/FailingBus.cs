using System.Diagnostics;
using Billing.Contracts;
using MassTransit;

namespace Billing.Redrive.Tests.Infrastructure;

/// <summary>A real MassTransit bus with one receive endpoint whose consumer fails until fixed; faults land in &lt;queue&gt;_error.</summary>
public sealed class FailingBus : IAsyncDisposable
{
    public const string Queue = "generate-invoice";
    public const string ErrorQueue = Queue + "_error";

    // MassTransit only starts activities (and so only writes traceparent) when someone listens to its source.
    private static readonly ActivityListener Listener = StartListener();
    public static readonly ActivitySource Source = new("Billing.Redrive.Tests");

    private readonly IBusControl _bus;

    private FailingBus(IBusControl bus, InvoiceConsumer consumer)
    {
        _bus = bus;
        Consumer = consumer;
    }

    public InvoiceConsumer Consumer { get; }

    public static async Task<FailingBus> StartAsync(RabbitVhost vhost)
    {
        _ = Listener;
        var consumer = new InvoiceConsumer();
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(Servers.Amqp.Host, (ushort)Servers.Amqp.Port, vhost.Name, h => { h.Username("guest"); h.Password("guest"); });
            cfg.ReceiveEndpoint(Queue, e =>
            {
                e.UseMessageRetry(r => r.Immediate(2));
                e.Consumer(() => consumer);
            });
        });
        await bus.StartAsync();
        return new FailingBus(bus, consumer);
    }

    /// <summary>Sends inside a fresh trace and returns its trace id.</summary>
    public async Task<string> SendAsync<T>(T message) where T : class
    {
        using var activity = Source.StartActivity("test-send", ActivityKind.Producer)!;
        var endpoint = await _bus.GetSendEndpoint(new Uri($"queue:{Queue}"));
        await endpoint.Send(message);
        return activity.TraceId.ToHexString();
    }

    /// <summary>Sends <paramref name="count"/> invoices to generate, each in its own trace, and waits until all are in the error queue.</summary>
    public async Task<List<(GenerateInvoice Message, string TraceId)>> DeadLetterAsync(RabbitVhost vhost, int count)
    {
        var sent = new List<(GenerateInvoice, string)>();
        for (var i = 0; i < count; i++)
        {
            var message = new GenerateInvoice(Guid.NewGuid(), Guid.NewGuid(), "2026-10");
            sent.Add((message, await SendAsync(message)));
        }
        await using var connection = await vhost.ConnectAsync();
        await Broker.WaitForCountAsync(connection, ErrorQueue, (uint)count);
        return sent;
    }

    public async ValueTask DisposeAsync() => await _bus.StopAsync();

    private static ActivityListener StartListener()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "MassTransit" or "Billing.Redrive.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
