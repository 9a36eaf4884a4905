using System.Collections.Concurrent;
using Billing.Contracts;
using MassTransit;

namespace Billing.Mailer.Tests.Infrastructure;

/// <summary>What the mailer published, as another service on the bus would see it.</summary>
public sealed class Recorder
{
    public ConcurrentQueue<InvoiceEmailed> Emailed { get; } = new();
    public ConcurrentQueue<InvoiceEmailNotSent> NotSent { get; } = new();
    public ConcurrentQueue<ErrorReported> Errors { get; } = new();
    public ConcurrentQueue<RenderInvoicePdf> RenderRequests { get; } = new();

    /// <summary>Plays the PDF renderer when set: called for each RenderInvoicePdf.</summary>
    public Func<RenderInvoicePdf, ConsumeContext, Task>? Renderer { get; set; }
}

public sealed class RecordingConsumer(Recorder recorder) :
    IConsumer<InvoiceEmailed>, IConsumer<InvoiceEmailNotSent>, IConsumer<ErrorReported>, IConsumer<RenderInvoicePdf>
{
    public Task Consume(ConsumeContext<InvoiceEmailed> context)
    {
        recorder.Emailed.Enqueue(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<InvoiceEmailNotSent> context)
    {
        recorder.NotSent.Enqueue(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<ErrorReported> context)
    {
        recorder.Errors.Enqueue(context.Message);
        return Task.CompletedTask;
    }

    public async Task Consume(ConsumeContext<RenderInvoicePdf> context)
    {
        recorder.RenderRequests.Enqueue(context.Message);
        if (recorder.Renderer is { } render) await render(context.Message, context);
    }
}
