namespace Billing.Invoicing.Infrastructure;

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
