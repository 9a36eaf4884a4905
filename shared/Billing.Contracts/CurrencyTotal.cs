namespace Billing.Contracts;

public record CurrencyTotal(string Currency, int Invoices, long TotalMinor);
