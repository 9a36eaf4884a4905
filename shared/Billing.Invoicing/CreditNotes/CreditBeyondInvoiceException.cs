namespace Billing.Invoicing.CreditNotes;

/// <summary>The credit asked for is more than is left to credit on the invoice (a conflict, not malformed input).</summary>
public sealed class CreditBeyondInvoiceException(string field, string message, long remainingMinor) : Exception(message)
{
    public string Field { get; } = field;

    /// <summary>What can still be credited on the invoice (tax included), in minor units.</summary>
    public long RemainingMinor { get; } = remainingMinor;
}
