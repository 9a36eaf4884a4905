using System.Collections.Concurrent;
using Billing.Contracts;
using MassTransit;

namespace Billing.Redrive.Tests.Infrastructure;

/// <summary>A GenerateInvoice consumer whose failure the test switches off ("the cause is fixed").</summary>
public sealed class InvoiceConsumer : IConsumer<GenerateInvoice>
{
    public volatile bool Broken = true;

    public ConcurrentQueue<(GenerateInvoice Message, Guid? MessageId, Dictionary<string, object?> Headers)> Processed { get; } = new();

    public Task Consume(ConsumeContext<GenerateInvoice> context)
    {
        if (Broken) throw new InvalidOperationException($"Stripe is down for account {context.Message.AccountId}");
        var headers = context.ReceiveContext.TransportHeaders.GetAll().ToDictionary(h => h.Key, h => (object?)h.Value);
        Processed.Enqueue((context.Message, context.MessageId, headers));
        return Task.CompletedTask;
    }
}
