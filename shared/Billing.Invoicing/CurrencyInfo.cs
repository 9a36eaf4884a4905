namespace Billing.Invoicing;

/// <summary>An ISO 4217 currency. <see cref="Exponent"/> is the number of minor-unit digits
/// (2 for EUR cents, 0 for JPY, 3 for BHD fils).</summary>
public sealed record CurrencyInfo(string Code, int Exponent, string Name);
