using System.ComponentModel.DataAnnotations;

namespace Billing.PdfRenderer;

public sealed class PdfRendererOptions
{
    public const string Section = "PdfRenderer";

    /// <summary>Invoices rendered at the same time in this process. Rendering is CPU-bound: one per core by default.</summary>
    [Range(1, 256)]
    public int ConcurrentRenders { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Messages in flight per endpoint. A message mostly waits (database, file fsync, broker confirm); with only
    /// one per core in flight the renderer idled between renders. Renders themselves stay limited by
    /// <see cref="ConcurrentRenders"/>. Keep it at or below <c>RabbitMq__Prefetch</c>.
    /// </summary>
    [Range(1, 256)]
    public int ConcurrentMessages { get; set; } = 4 * Environment.ProcessorCount;
}
