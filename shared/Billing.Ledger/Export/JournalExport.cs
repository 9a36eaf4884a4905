using System.Globalization;
using System.Text.Json;

namespace Billing.Ledger;

/// <summary>Journal exports for accountants: one CSV row per line, or the entries as snake_case JSON.</summary>
public static class JournalExport
{
    static readonly string[] Header =
    [
        "entry_id", "source_type", "source_id", "invoice_id", "account_id", "currency", "posted_at", "trace_id",
        "line_no", "ledger_account", "debit_minor", "credit_minor", "debit", "credit", "description",
    ];

    /// <summary>Amounts appear both as integer minor units (exact) and formatted in major units with the currency's decimals.</summary>
    public static void WriteCsv(IEnumerable<JournalEntry> entries, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Csv.WriteRow(writer, Header);
        foreach (var entry in entries)
        {
            for (var i = 0; i < entry.Lines.Count; i++)
            {
                var line = entry.Lines[i];
                Csv.WriteRow(writer,
                    entry.Id.ToString(), entry.SourceType, entry.SourceId, entry.InvoiceId?.ToString(), entry.AccountId?.ToString(),
                    entry.Currency, entry.PostedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
                    entry.TraceId, (i + 1).ToString(CultureInfo.InvariantCulture), line.LedgerAccount,
                    line.DebitMinor.ToString(CultureInfo.InvariantCulture), line.CreditMinor.ToString(CultureInfo.InvariantCulture),
                    MoneyText.Plain(line.DebitMinor, entry.Currency), MoneyText.Plain(line.CreditMinor, entry.Currency),
                    line.Description);
            }
        }
    }

    /// <summary>A JSON array of entries with their lines.</summary>
    public static void WriteJson(IEnumerable<JournalEntry> entries, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(entries);
        writer.Write(JsonSerializer.Serialize(entries.ToList(), LedgerJson.Options));
    }
}
