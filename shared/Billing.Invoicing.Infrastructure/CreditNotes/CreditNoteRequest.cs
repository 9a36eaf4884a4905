namespace Billing.Invoicing.Infrastructure.CreditNotes;

/// <summary>
/// What an operator asks for: a reason and either lines (net of tax) or an amount tax included, given in minor units
/// (<see cref="AmountMinor"/>) or major units (<see cref="Amount"/>, e.g. 12.50).
/// </summary>
public sealed record CreditNoteRequest(
    string Reason,
    string? Memo,
    IReadOnlyList<(string Description, decimal Quantity, decimal UnitPrice)>? Lines,
    long? AmountMinor,
    decimal? Amount);
