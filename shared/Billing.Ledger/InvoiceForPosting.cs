namespace Billing.Ledger;

/// <summary>A finalized invoice as the ledger needs it. Amounts are minor units; total = subtotal + tax.</summary>
public sealed record InvoiceForPosting(
    Guid InvoiceId,
    Guid AccountId,
    string Number,
    string Currency,
    IReadOnlyList<InvoiceLineForPosting> Lines,
    long SubtotalMinor,
    long TaxMinor,
    long TotalMinor);

/// <summary>
/// One invoice line: <see cref="Kind"/> is base_fee, usage, charge or tier (see <see cref="InvoiceLineKinds"/>);
/// <see cref="Component"/> is the metric of a usage line.
/// </summary>
public sealed record InvoiceLineForPosting(string Kind, string? Component, long AmountMinor);
