using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using Billing.Contracts;
using MassTransit;

namespace Billing.Foundation.Tests;

public sealed class Observed
{
    public ConcurrentQueue<(Guid AccountId, ActivityTraceId TraceId)> Received { get; } = new();
    public ConcurrentDictionary<Guid, int> Attempts { get; } = new();
}

public sealed class TracingProbeConsumer(Observed observed) : IConsumer<GenerateInvoice>
{
    public Task Consume(ConsumeContext<GenerateInvoice> context)
    {
        observed.Received.Enqueue((context.Message.AccountId, Activity.Current?.TraceId ?? default));
        return Task.CompletedTask;
    }
}

/// <summary>Fails every time: with a validation failure for period "invalid", otherwise with a transient-looking error.</summary>
public sealed class FailingProbeConsumer(Observed observed) : IConsumer<GenerateInvoice>
{
    public Task Consume(ConsumeContext<GenerateInvoice> context)
    {
        observed.Attempts.AddOrUpdate(context.Message.AccountId, 1, (_, n) => n + 1);
        if (context.Message.Period == "invalid")
            throw new ValidationException("period: must be yyyy-MM");
        throw new InvalidOperationException("ledger unavailable");
    }
}
