namespace Billing.Contracts;

public record InvoiceRunCompleted(
    Guid RunId,
    string Period,
    int Accounts,
    int Invoices,
    int Skipped,
    int Failed,
    int Emailed,
    int Synced,
    IReadOnlyList<CurrencyTotal> Totals,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt);
