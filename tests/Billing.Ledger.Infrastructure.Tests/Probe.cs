using System.Collections.Concurrent;
using Billing.Contracts;
using MassTransit;

namespace Billing.Ledger.Infrastructure.Tests;

/// <summary>Every message the probe queue received, by type.</summary>
public sealed class Captured
{
    readonly ConcurrentQueue<object> messages = new();

    public void Add(object message) => messages.Enqueue(message);

    public List<T> Of<T>() => messages.OfType<T>().ToList();

    public int Count<T>() => messages.Count(m => m is T);
}

/// <summary>A test-owned queue bound to what the accounting path publishes, to assert on follow-ups.</summary>
public sealed class AccountingProbeConsumer(Captured captured) :
    IConsumer<ErrorReported>, IConsumer<InvoiceSynced>, IConsumer<LedgerEntryPosted>,
    IConsumer<PaymentSucceeded>, IConsumer<PaymentFailed>, IConsumer<InvoiceMarkedUncollectible>,
    IConsumer<RefundCreated>, IConsumer<DisputeUpdated>
{
    public Task Consume(ConsumeContext<ErrorReported> context) => Add(context.Message);
    public Task Consume(ConsumeContext<InvoiceSynced> context) => Add(context.Message);
    public Task Consume(ConsumeContext<LedgerEntryPosted> context) => Add(context.Message);
    public Task Consume(ConsumeContext<PaymentSucceeded> context) => Add(context.Message);
    public Task Consume(ConsumeContext<PaymentFailed> context) => Add(context.Message);
    public Task Consume(ConsumeContext<InvoiceMarkedUncollectible> context) => Add(context.Message);
    public Task Consume(ConsumeContext<RefundCreated> context) => Add(context.Message);
    public Task Consume(ConsumeContext<DisputeUpdated> context) => Add(context.Message);

    Task Add(object message)
    {
        captured.Add(message);
        return Task.CompletedTask;
    }
}
