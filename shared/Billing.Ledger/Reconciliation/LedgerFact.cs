namespace Billing.Ledger;

/// <summary>
/// The receivable debit of an invoice's journal entry, in minor units. Decimal because an external connector may
/// report major units as a decimal (12.345 for 1234.5 cents); a difference below one minor unit is then rounding.
/// </summary>
public sealed record LedgerFact(Guid InvoiceId, string Currency, decimal ReceivableDebitMinor)
{
    /// <summary>A fact reported in major units (e.g. dollars) by a connector.</summary>
    public static LedgerFact FromMajorUnits(Guid invoiceId, string currency, decimal amountMajor) =>
        new(invoiceId, currency, amountMajor * LedgerCurrency.Info(currency).MinorPerMajor);
}
