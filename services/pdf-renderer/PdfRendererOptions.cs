using System.ComponentModel.DataAnnotations;

namespace Billing.PdfRenderer;

public sealed class PdfRendererOptions
{
    public const string Section = "PdfRenderer";

    /// <summary>Invoices rendered at the same time per endpoint. Rendering is CPU-bound: one per core by default.</summary>
    [Range(1, 256)]
    public int ConcurrentRenders { get; set; } = Environment.ProcessorCount;
}
