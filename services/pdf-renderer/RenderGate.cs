using Microsoft.Extensions.Options;

namespace Billing.PdfRenderer;

/// <summary>At most <c>PdfRenderer__ConcurrentRenders</c> renders at once in this process, over every endpoint.</summary>
public sealed class RenderGate(IOptions<PdfRendererOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.ConcurrentRenders, options.Value.ConcurrentRenders);

    public Task WaitAsync(CancellationToken ct) => _slots.WaitAsync(ct);

    public void Release() => _slots.Release();

    public void Dispose() => _slots.Dispose();
}
