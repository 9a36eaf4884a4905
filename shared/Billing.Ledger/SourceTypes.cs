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

    /// <summary>A credit note issued by an operator; source id = the credit note id.</summary>
    public const string CreditNote = "credit_note";

    /// <summary>The reversal of a voided invoice; source id = the invoice id (an invoice is voided once).</summary>
    public const string Void = "void";
}
