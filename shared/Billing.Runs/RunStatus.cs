namespace Billing.Runs;

public static class RunStatus
{
    public const string Running = "running";
    public const string NeedsAttention = "needs_attention";
    public const string Completed = "completed";

    /// <summary>Cancelled: no new invoice is issued; the ones issued before finish their PDF, email and ledger.</summary>
    public const string Cancelling = "cancelling";

    /// <summary>Cancelled, and every invoice issued before the cancel emailed and synced (or failed).</summary>
    public const string Cancelled = "cancelled";

    public static bool IsCancelled(string status) => status is Cancelling or Cancelled;
}

/// <summary>Stages a failure is recorded for (<c>stage_failures.stage</c>).</summary>
public static class Stages
{
    public const string Generate = "generate";
    public const string Render = "render";
    public const string Email = "email";
    public const string Sync = "sync";
    public const string Stripe = "stripe";

    /// <summary>
    /// The stage of a consumer from the queue it reads (the fault's source address), e.g. <c>push-invoice-to-stripe</c>.
    /// Null when the queue name says nothing; callers then record the message type.
    /// </summary>
    private static readonly Dictionary<string, string> KnownQueues = new()
    {
        ["generate-invoice"] = Generate,
        ["render-finalized-invoice"] = Render,
        ["render-invoice-pdf"] = Render,
        ["invoice-pdf-rendered"] = Email,
        ["resend-invoice-email"] = Email,
        ["sync-invoice"] = Sync,
        ["push-invoice-to-stripe"] = Stripe,
    };

    public static string? FromQueue(string? queue)
    {
        if (string.IsNullOrEmpty(queue)) return null;
        var q = queue.ToLowerInvariant();
        // The queues of the services as they are named today; the word rules below cover new consumers.
        // (The mailer reads "invoice-pdf-rendered": an email failure, although the name says pdf.)
        if (KnownQueues.TryGetValue(q, out var known)) return known;
        if (q.Contains("stripe")) return Stripe;
        if (q.Contains("generate")) return Generate;
        if (q.Contains("pdf") || q.Contains("render")) return Render;
        if (q.Contains("mail")) return Email;
        if (q.Contains("sync") || q.Contains("ledger") || q.Contains("account")) return Sync;
        return null;
    }
}
