using System.Collections.Concurrent;

namespace Billing.PdfRenderer;

/// <summary>
/// Reuses render buffers so a long run allocates them once per concurrent render instead of once per invoice.
/// Buffers grown by an unusually large invoice are dropped rather than kept, so memory stays flat.
/// </summary>
public sealed class PdfBufferPool
{
    private const int InitialCapacity = 64 * 1024;
    private const int MaxRetainedCapacity = 4 * 1024 * 1024;
    private const int MaxRetained = 64;
    private readonly ConcurrentBag<MemoryStream> _free = [];

    public MemoryStream Rent() => _free.TryTake(out var stream) ? stream : new MemoryStream(InitialCapacity);

    public void Return(MemoryStream stream)
    {
        if (stream.Capacity > MaxRetainedCapacity || _free.Count >= MaxRetained) return;
        stream.SetLength(0);
        _free.Add(stream);
    }
}
