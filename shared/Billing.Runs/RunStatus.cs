namespace Billing.Runs;

public static class RunStatus
{
    public const string Running = "running";
    public const string NeedsAttention = "needs_attention";
    public const string Completed = "completed";
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
    public static string? FromQueue(string? queue)
    {
        if (string.IsNullOrEmpty(queue)) return null;
        var q = queue.ToLowerInvariant();
        if (q.Contains("stripe")) return Stripe;
        if (q.Contains("generate")) return Generate;
        if (q.Contains("pdf") || q.Contains("render")) return Render;
        if (q.Contains("mail")) return Email;
        if (q.Contains("sync") || q.Contains("ledger") || q.Contains("account")) return Sync;
        return null;
    }
}
