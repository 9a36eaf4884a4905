namespace Billing.Invoicing.CreditNotes;

/// <summary>One line of a credit note: net of tax, like an invoice line; amount = round(quantity × unit price).</summary>
public sealed record CreditNoteLine(int LineNo, string Description, decimal Quantity, decimal UnitPrice, long AmountMinor);
