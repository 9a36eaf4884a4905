namespace Billing.Ledger.Tests;

/// <summary>Invoices and times the specs share.</summary>
internal static class Sample
{
    public static readonly DateTimeOffset At = new(2026, 10, 31, 23, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// 1000 base fee + 250 + 150 api_calls + 300 storage + 500 services = 2200, tax 19% = 418, total 2618.
    /// The tier line explains the first usage line and must not be counted again.
    /// </summary>
    public static InvoiceForPosting MultiStreamInvoice(string currency = "EUR") => new(
        Guid.Parse("11111111-0000-0000-0000-000000000001"),
        Guid.Parse("22222222-0000-0000-0000-000000000001"),
        "INV-000042",
        currency,
        [
            new(InvoiceLineKinds.BaseFee, null, 1000),
            new(InvoiceLineKinds.Usage, "api_calls", 250),
            new(InvoiceLineKinds.Tier, "api_calls", 250),
            new(InvoiceLineKinds.Usage, "storage_gb", 300),
            new(InvoiceLineKinds.Usage, "api_calls", 150),
            new(InvoiceLineKinds.Charge, null, 500),
        ],
        SubtotalMinor: 2200,
        TaxMinor: 418,
        TotalMinor: 2618);

    public static InvoiceForPosting Simple(long subtotal, long tax, string currency = "USD", Guid? id = null, Guid? account = null) => new(
        id ?? Guid.NewGuid(), account ?? Guid.NewGuid(), "INV-1", currency,
        [new(InvoiceLineKinds.BaseFee, null, subtotal)], subtotal, tax, subtotal + tax);

    public static long Debit(this JournalEntry entry, string account) =>
        entry.Lines.Where(l => l.LedgerAccount == account).Sum(l => l.DebitMinor);

    public static long Credit(this JournalEntry entry, string account) =>
        entry.Lines.Where(l => l.LedgerAccount == account).Sum(l => l.CreditMinor);
}
