using Billing.Contracts;
using MassTransit;

namespace Billing.RedriveService.Tests.Infrastructure;

/// <summary>What the test consumers saw; the test flips <see cref="Broken"/> when "the cause is fixed".</summary>
public sealed class ConsumerState
{
    private int successes;

    public volatile bool Broken = true;

    public int Successes => Volatile.Read(ref successes);

    public void Succeeded() => Interlocked.Increment(ref successes);
}

/// <summary>Queue flaky-invoice: fails (as if Stripe were down) until the test fixes it.</summary>
public sealed class FlakyInvoiceConsumer(ConsumerState state) : IConsumer<GenerateInvoice>
{
    public Task Consume(ConsumeContext<GenerateInvoice> context)
    {
        if (state.Broken) throw new InvalidOperationException($"Stripe is down for account {context.Message.AccountId}");
        state.Succeeded();
        return Task.CompletedTask;
    }
}

/// <summary>Queue stubborn-invoice: never succeeds.</summary>
public sealed class StubbornInvoiceConsumer : IConsumer<GenerateInvoice>
{
    public Task Consume(ConsumeContext<GenerateInvoice> context) =>
        throw new TimeoutException($"the ledger timed out for account {context.Message.AccountId}");
}
