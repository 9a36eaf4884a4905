using System.ComponentModel.DataAnnotations;

namespace Billing.InvoiceGenerator;

public sealed class GenerationOptions
{
    public const string Section = "Generation";

    /// <summary>GenerateInvoice messages handled at once by one process (<c>Generation__ConcurrentMessageLimit</c>).</summary>
    [Range(1, 256)]
    public int ConcurrentMessageLimit { get; set; } = 128;

    /// <summary>Invoices stored per transaction at most (group commit); 1 stores each on its own.</summary>
    [Range(1, 1000)]
    public int WriteBatchSize { get; set; } = 128;

    /// <summary>Accounts read and published per fan-out page; the publishes of a page are confirmed together.</summary>
    [Range(1, 10_000)]
    public int FanOutPageSize { get; set; } = 1000;

    /// <summary>Stripe pushes at once per process; the deployment's budget (<c>Stripe__RequestsPerSecond</c>) bounds the rate.</summary>
    [Range(1, 256)]
    public int StripeConcurrentMessageLimit { get; set; } = 8;

    /// <summary>How often running runs are checked for completion, in milliseconds.</summary>
    [Range(50, 60_000)]
    public int CompletionCheckMs { get; set; } = 1000;
}
