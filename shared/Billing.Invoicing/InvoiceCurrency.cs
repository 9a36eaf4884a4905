namespace Billing.Invoicing;

/// <summary>The currency of a plan or invoice from <see cref="Currencies"/>; an unknown code is a validation error of
/// field <c>currency</c>.</summary>
public static class InvoiceCurrency
{
    /// <exception cref="DomainValidationException">field <c>currency</c> when the code is unknown.</exception>
    public static CurrencyInfo Get(string? code) =>
        Currencies.TryGet(code, out var info) ? info : throw new DomainValidationException("currency", Currencies.UnknownMessage(code));
}
