using Billing.Ledger;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Ledger.Infrastructure;

/// <summary>
/// Journal entries in PostgreSQL. Inserts are keyed by (source_type, source_id) with <c>on conflict do nothing</c>,
/// so a redelivered document changes nothing; a batch of entries and all their lines is one round trip.
/// </summary>
public sealed class LedgerStore(NpgsqlDataSource dataSource)
{
    // Lines go in only for entries this statement created: a conflicting (already posted) entry keeps its lines.
    internal const string EntriesCte = """
        with e as (
            insert into journal_entries (id, source_type, source_id, invoice_id, account_id, currency, posted_at, trace_id)
            select t.id, t.source_type, t.source_id, t.invoice_id, t.account_id, t.currency, t.posted_at, t.trace_id
              from unnest(@ids, @source_types, @source_ids, @invoice_ids, @account_ids, @currencies, @posted_at, @trace_ids)
                   as t(id, source_type, source_id, invoice_id, account_id, currency, posted_at, trace_id)
            on conflict (source_type, source_id) do nothing
            returning id),
        l as (
            insert into journal_lines (entry_id, line_no, ledger_account, debit_minor, credit_minor, description)
            select l.entry_id, l.line_no, l.ledger_account, l.debit_minor, l.credit_minor, l.description
              from unnest(@l_entry, @l_no, @l_account, @l_debit, @l_credit, @l_description)
                   as l(entry_id, line_no, ledger_account, debit_minor, credit_minor, description)
             where l.entry_id in (select id from e))
        """;

    const string InsertSql = EntriesCte + " select id from e";

    const string EntryColumns = """
        select e.id, e.source_type, e.source_id, e.invoice_id, e.account_id, e.currency, e.posted_at, e.trace_id,
               l.ledger_account, l.debit_minor, l.credit_minor, l.description
          from journal_entries e join journal_lines l on l.entry_id = e.id
        """;

    const string ByInvoiceSql = EntryColumns + " where e.invoice_id = @invoice_id order by e.posted_at, e.id, l.line_no";

    const string PostedSql = EntryColumns + " where e.posted_at >= @from and e.posted_at < @to order by e.posted_at, e.id, l.line_no";

    const string TrialBalanceSql = """
        select e.currency, l.ledger_account, sum(l.debit_minor)::bigint, sum(l.credit_minor)::bigint
          from journal_entries e join journal_lines l on l.entry_id = e.id
         group by e.currency, l.ledger_account
         order by e.currency, l.ledger_account
        """;

    const string ReceivableSql = """
        select e.account_id, e.currency, sum(l.debit_minor - l.credit_minor)::bigint
          from journal_entries e join journal_lines l on l.entry_id = e.id
         where l.ledger_account = 'accounts_receivable' and e.account_id is not null
         group by e.account_id, e.currency
        """;

    /// <summary>Inserts the entries that are not in the ledger yet; returns the ids of those it inserted.</summary>
    public static async Task<HashSet<Guid>> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyList<JournalEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0)
            return [];
        await using var cmd = new NpgsqlCommand(InsertSql, conn, tx);
        AddEntryParameters(cmd, entries);
        return await ReadIdsAsync(cmd, ct);
    }

    internal static async Task<HashSet<Guid>> ReadIdsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var inserted = new HashSet<Guid>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            inserted.Add(reader.GetGuid(0));
        return inserted;
    }

    /// <summary>The parameters of <see cref="EntriesCte"/>: entries and their lines as arrays, unnested by the server.</summary>
    internal static void AddEntryParameters(NpgsqlCommand cmd, IReadOnlyList<JournalEntry> entries)
    {
        var lineCount = entries.Sum(e => e.Lines.Count);
        var lEntry = new Guid[lineCount];
        var lNo = new int[lineCount];
        var lAccount = new string[lineCount];
        var lDebit = new long[lineCount];
        var lCredit = new long[lineCount];
        var lDescription = new string[lineCount];
        var at = 0;
        foreach (var entry in entries)
        {
            entry.EnsureBalanced();
            for (var i = 0; i < entry.Lines.Count; i++, at++)
            {
                var line = entry.Lines[i];
                lEntry[at] = entry.Id;
                lNo[at] = i + 1;
                lAccount[at] = line.LedgerAccount;
                lDebit[at] = line.DebitMinor;
                lCredit[at] = line.CreditMinor;
                lDescription[at] = line.Description;
            }
        }

        Add(cmd, "ids", NpgsqlDbType.Uuid, entries.Select(e => e.Id).ToArray());
        Add(cmd, "source_types", NpgsqlDbType.Text, entries.Select(e => e.SourceType).ToArray());
        Add(cmd, "source_ids", NpgsqlDbType.Text, entries.Select(e => e.SourceId).ToArray());
        Add(cmd, "invoice_ids", NpgsqlDbType.Uuid, entries.Select(e => e.InvoiceId).ToArray());
        Add(cmd, "account_ids", NpgsqlDbType.Uuid, entries.Select(e => e.AccountId).ToArray());
        Add(cmd, "currencies", NpgsqlDbType.Text, entries.Select(e => e.Currency).ToArray());
        Add(cmd, "posted_at", NpgsqlDbType.TimestampTz, entries.Select(e => e.PostedAt.ToUniversalTime()).ToArray());
        Add(cmd, "trace_ids", NpgsqlDbType.Text, entries.Select(e => e.TraceId).ToArray());
        Add(cmd, "l_entry", NpgsqlDbType.Uuid, lEntry);
        Add(cmd, "l_no", NpgsqlDbType.Integer, lNo);
        Add(cmd, "l_account", NpgsqlDbType.Text, lAccount);
        Add(cmd, "l_debit", NpgsqlDbType.Bigint, lDebit);
        Add(cmd, "l_credit", NpgsqlDbType.Bigint, lCredit);
        Add(cmd, "l_description", NpgsqlDbType.Text, lDescription);
    }

    internal static void Add(NpgsqlCommand cmd, string name, NpgsqlDbType type, Array values) =>
        cmd.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = values });

    /// <summary>Every entry of one invoice (its invoice entry, payments, refunds, disputes).</summary>
    public static async Task<List<JournalEntry>> ForInvoiceAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, Guid invoiceId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(ByInvoiceSql, conn, tx);
        cmd.Parameters.AddWithValue("invoice_id", invoiceId);
        return await ReadEntriesAsync(cmd, ct);
    }

    public async Task<List<JournalEntry>> ForInvoiceAsync(Guid invoiceId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await ForInvoiceAsync(conn, null, invoiceId, ct);
    }

    /// <summary>Entries posted within the UTC month, for exports and the month-end summary.</summary>
    public async Task<List<JournalEntry>> PostedInAsync(LedgerPeriod period, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(PostedSql, conn);
        cmd.Parameters.AddWithValue("from", period.Start.UtcDateTime);
        cmd.Parameters.AddWithValue("to", period.End.UtcDateTime);
        return await ReadEntriesAsync(cmd, ct);
    }

    /// <summary>All-time debit and credit per currency and ledger account.</summary>
    public async Task<List<CurrencySummary>> TrialBalanceAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(TrialBalanceSql, conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<(string Currency, AccountTotal Total)>();
        while (await reader.ReadAsync(ct))
            rows.Add((reader.GetString(0).Trim(), new AccountTotal(reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3))));
        return rows.GroupBy(r => r.Currency).Select(g => new CurrencySummary(g.Key, g.Select(r => r.Total).ToList())).ToList();
    }

    /// <summary>Receivable balance (debit − credit) per customer account and currency.</summary>
    public async Task<Dictionary<(Guid AccountId, string Currency), long>> ReceivableByAccountAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(ReceivableSql, conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var result = new Dictionary<(Guid, string), long>();
        while (await reader.ReadAsync(ct))
            result[(reader.GetGuid(0), reader.GetString(1).Trim())] = reader.GetInt64(2);
        return result;
    }

    static async Task<List<JournalEntry>> ReadEntriesAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var entries = new List<JournalEntry>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        JournalEntry? current = null;
        List<JournalLine>? lines = null;
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetGuid(0);
            if (current?.Id != id)
            {
                lines = [];
                current = new JournalEntry(id, reader.GetString(1), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetGuid(3), reader.IsDBNull(4) ? null : reader.GetGuid(4),
                    reader.GetString(5).Trim(), reader.GetFieldValue<DateTimeOffset>(6), lines)
                {
                    TraceId = reader.IsDBNull(7) ? null : reader.GetString(7),
                };
                entries.Add(current);
            }
            lines!.Add(new JournalLine(reader.GetString(8), reader.GetInt64(9), reader.GetInt64(10), reader.GetString(11)));
        }
        return entries;
    }
}
