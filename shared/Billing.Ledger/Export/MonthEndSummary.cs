using System.Globalization;

namespace Billing.Ledger;

/// <summary>Per currency, per ledger account debit, credit and balance of one month, with the trial-balance check.</summary>
public sealed record MonthEndSummary(string Period, int EntryCount, IReadOnlyList<CurrencySummary> Currencies)
{
    /// <summary>True when debits equal credits in every currency (amounts in different currencies never net).</summary>
    public bool TrialBalanceOk => Currencies.All(c => c.Balanced);

    /// <summary>Summarizes the entries posted within <paramref name="period"/> (UTC month); others are left out.</summary>
    public static MonthEndSummary Build(IEnumerable<JournalEntry> entries, string period)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var month = LedgerPeriod.Parse(period);
        var inPeriod = entries.Where(e => month.Contains(e.PostedAt)).ToList();
        var currencies = inPeriod
            .SelectMany(e => e.Lines.Select(l => (e.Currency, Line: l)))
            .GroupBy(x => x.Currency, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new CurrencySummary(
                g.Key,
                g.GroupBy(x => x.Line.LedgerAccount, StringComparer.Ordinal)
                    .OrderBy(a => a.Key, StringComparer.Ordinal)
                    .Select(a => new AccountTotal(a.Key, a.Sum(x => x.Line.DebitMinor), a.Sum(x => x.Line.CreditMinor)))
                    .ToList()))
            .ToList();
        return new MonthEndSummary(month.ToString(), inPeriod.Count, currencies);
    }

    public void WriteMarkdown(TextWriter writer)
    {
        writer.WriteLine($"# Month-end summary {Period}");
        writer.WriteLine();
        writer.WriteLine($"{EntryCount} journal entries. Trial balance: {(TrialBalanceOk ? "balanced" : "NOT BALANCED")}.");
        foreach (var currency in Currencies)
        {
            writer.WriteLine();
            writer.WriteLine($"## {currency.Currency}");
            writer.WriteLine();
            writer.WriteLine("| Ledger account | Debit | Credit | Balance |");
            writer.WriteLine("|---|---:|---:|---:|");
            foreach (var account in currency.Accounts)
                writer.WriteLine($"| {account.LedgerAccount.Replace("|", "\\|")} | {Major(account.DebitMinor, currency)} | {Major(account.CreditMinor, currency)} | {Major(account.BalanceMinor, currency)} |");
            writer.WriteLine($"| **Total** | {Major(currency.DebitMinor, currency)} | {Major(currency.CreditMinor, currency)} | {Major(currency.DebitMinor - currency.CreditMinor, currency)} |");
        }
    }

    /// <summary>One row per currency and account, then a <c>(total)</c> row per currency whose balance must be 0.</summary>
    public void WriteCsv(TextWriter writer)
    {
        Csv.WriteRow(writer, "period", "currency", "ledger_account", "debit_minor", "credit_minor", "balance_minor", "debit", "credit", "balance");
        foreach (var currency in Currencies)
        {
            foreach (var account in currency.Accounts)
                Row(writer, currency, account.LedgerAccount, account.DebitMinor, account.CreditMinor);
            Row(writer, currency, "(total)", currency.DebitMinor, currency.CreditMinor);
        }
    }

    void Row(TextWriter writer, CurrencySummary currency, string account, long debit, long credit) =>
        Csv.WriteRow(writer, Period, currency.Currency, account, Text(debit), Text(credit), Text(debit - credit),
            Major(debit, currency), Major(credit, currency), Major(debit - credit, currency));

    static string Major(long minor, CurrencySummary currency) => MoneyText.Plain(minor, currency.Currency);
    static string Text(long minor) => minor.ToString(CultureInfo.InvariantCulture);
}

public sealed record CurrencySummary(string Currency, IReadOnlyList<AccountTotal> Accounts)
{
    public long DebitMinor => Accounts.Sum(a => a.DebitMinor);
    public long CreditMinor => Accounts.Sum(a => a.CreditMinor);
    public bool Balanced => DebitMinor == CreditMinor;
}

/// <summary>Balance is debit − credit: positive for assets and expenses, negative for revenue and liabilities.</summary>
public sealed record AccountTotal(string LedgerAccount, long DebitMinor, long CreditMinor)
{
    public long BalanceMinor => DebitMinor - CreditMinor;
}
