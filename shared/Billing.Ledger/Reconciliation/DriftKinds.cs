namespace Billing.Ledger;

/// <summary>Kinds of drift, as stored in <c>reconciliation_drifts.kind</c> and shown by <c>/admin/reconcile?detail=true</c>.</summary>
public static class DriftKinds
{
    public const string MissingInLedger = "missing_in_ledger";
    public const string LedgerAmountMismatch = "ledger_amount_mismatch";
    public const string MissingInStripe = "missing_in_stripe";
    public const string StripeAmountMismatch = "stripe_amount_mismatch";
    public const string StatusMismatch = "status_mismatch";
    public const string EmailedNotSynced = "emailed_not_synced";
}
