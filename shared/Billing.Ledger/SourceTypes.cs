namespace Billing.Ledger;

/// <summary>
/// Kinds of source document. (source type, source id) is the deterministic key of a journal entry:
/// one balanced entry per source document, whatever the number of deliveries.
/// </summary>
public static class SourceTypes
{
    public const string Invoice = "invoice";
    public const string Payment = "payment";
    public const string Refund = "refund";
    public const string Dispute = "dispute";
}
