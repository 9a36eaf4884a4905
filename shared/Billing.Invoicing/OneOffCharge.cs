namespace Billing.Invoicing;

/// <summary>A row of <c>charges</c>: quantity × unit price in major units of the plan currency. A negative
/// unit price is a credit (the table allows it); the quantity must be positive.</summary>
public sealed record OneOffCharge(string Description, decimal Quantity, decimal UnitPrice);
