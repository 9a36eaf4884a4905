using System.Collections.Frozen;

namespace Billing.Vocabulary;

/// <summary>
/// The receive endpoints (queues) of the services' consumers, named here rather than derived from class names, and
/// the one table that tells which stage of an invoice a failure on each of them blocked. A dead letter, a fault or an
/// error report names its queue; its stage is looked up here, never guessed from words in the name.
/// </summary>
public static class ConsumerEndpoints
{
    // invoice-generator
    public const string StartInvoiceRun = "start-invoice-run";
    public const string GenerateInvoice = "generate-invoice";
    public const string StageFailure = "stage-failure";
    public const string PushInvoiceToStripe = "push-invoice-to-stripe";
    public const string PushCreditNoteToStripe = "push-credit-note-to-stripe";
    public const string VoidInvoiceInStripe = "void-invoice-in-stripe";

    // pdf-renderer
    public const string RenderFinalizedInvoice = "render-finalized-invoice";
    public const string RenderInvoicePdf = "render-invoice-pdf";
    public const string RenderCreditNote = "render-credit-note";

    // mailer (it reads invoice-pdf-rendered: an email failure, although the name says pdf)
    public const string InvoicePdfRendered = "invoice-pdf-rendered";
    public const string ResendInvoiceEmail = "resend-invoice-email";
    public const string CreditNotePdfRendered = "credit-note-pdf-rendered";

    // accounting-sync
    public const string SyncInvoice = "sync-invoice";
    public const string PostPayment = "post-payment";
    public const string PostRefund = "post-refund";
    public const string PostDispute = "post-dispute";
    public const string RecordPaymentFailed = "record-payment-failed";
    public const string MarkUncollectible = "mark-uncollectible";
    public const string PostCreditNote = "post-credit-note";
    public const string PostVoid = "post-void";

    /// <summary>The stage each endpoint does for an invoice; endpoints that do none (credit notes, payments, run
    /// bookkeeping) are absent.</summary>
    private static readonly FrozenDictionary<string, string> StageByEndpoint = new Dictionary<string, string>
    {
        [GenerateInvoice] = Stages.Generate,
        [RenderFinalizedInvoice] = Stages.Render,
        [RenderInvoicePdf] = Stages.Render,
        [InvoicePdfRendered] = Stages.Email,
        [ResendInvoiceEmail] = Stages.Email,
        [SyncInvoice] = Stages.Sync,
        [PushInvoiceToStripe] = Stages.Stripe,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The stage of the consumer reading <paramref name="queue"/>; null for an endpoint that does no stage
    /// of an invoice, or a name that is not one of ours.</summary>
    public static string? StageOf(string? queue) =>
        queue is not null && StageByEndpoint.TryGetValue(queue, out var stage) ? stage : null;

    /// <summary>The endpoints that do <paramref name="stage"/>.</summary>
    public static IReadOnlyList<string> Of(string stage) =>
        StageByEndpoint.Where(e => e.Value == stage).Select(e => e.Key).Order(StringComparer.Ordinal).ToList();
}
