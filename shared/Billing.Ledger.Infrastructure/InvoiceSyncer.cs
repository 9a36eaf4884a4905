using System.Diagnostics;
using Billing.Ledger;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Ledger.Infrastructure;

/// <summary>An invoice whose entry is in the ledger (<see cref="Inserted"/> false when an earlier delivery posted it).</summary>
public sealed record SyncedInvoice(Guid InvoiceId, Guid? RunId, JournalEntry Entry, bool Inserted);

/// <summary>An invoice that can never be posted, with the rule it breaks.</summary>
public sealed record RejectedInvoice(Guid InvoiceId, Guid AccountId, string Reason);

public sealed record SyncBatchResult(IReadOnlyList<SyncedInvoice> Synced, IReadOnlyList<RejectedInvoice> Rejected, IReadOnlyList<Guid> Missing);

/// <summary>
/// Posts finalized invoices to the ledger in batches: one transaction loads the invoices and their lines,
/// inserts every entry with its lines and marks the invoices synced. The entry is posted at the invoice's issue
/// time, so a redelivery builds the identical entry and the export period follows the invoice date.
/// </summary>
public sealed class InvoiceSyncer(NpgsqlDataSource dataSource, TimeProvider time)
{
    // Tier lines break a usage line down and are already inside its amount.
    const string InvoicesSql = """
        select id, run_id, account_id, number, currency, subtotal_minor, tax_minor, total_minor, issued_at, trace_id
          from invoices where id = any(@ids)
        """;

    const string LinesSql = """
        select invoice_id, kind, component, amount_minor
          from invoice_lines where invoice_id = any(@ids) and kind <> 'tier'
         order by invoice_id, line_no
        """;

    // One round trip: the entries, their lines, and the invoices marked synced (also when the entry existed).
    const string PostSql = LedgerStore.EntriesCte + """
        , u as (
            update invoices i
               set synced_at = coalesce(i.synced_at, @now), journal_entry_id = s.entry_id
              from unnest(@invoice_ids_synced, @entry_ids_synced) as s(id, entry_id)
             where i.id = s.id and (i.synced_at is null or i.journal_entry_id is distinct from s.entry_id))
        select id from e
        """;

    public async Task<SyncBatchResult> SyncAsync(IReadOnlyCollection<Guid> invoiceIds, CancellationToken ct)
    {
        // Sorted: concurrent batches that overlap (redeliveries) lock rows in the same order.
        var ids = invoiceIds.Distinct().Order().ToArray();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var invoices = await LoadAsync(conn, tx, ids, ct);

        var entries = new List<(InvoiceRow Row, JournalEntry Entry)>();
        var rejected = new List<RejectedInvoice>();
        foreach (var row in invoices.Values.OrderBy(r => r.Id))
        {
            try
            {
                var entry = PostingRules.ForInvoice(row.ToPosting(), row.IssuedAt) with { TraceId = row.TraceId ?? Activity.Current?.TraceId.ToString() };
                entries.Add((row, entry));
            }
            catch (LedgerRuleException ex)
            {
                rejected.Add(new RejectedInvoice(row.Id, row.AccountId, ex.Reason));
            }
        }

        var inserted = new HashSet<Guid>();
        if (entries.Count > 0)
        {
            await using var post = new NpgsqlCommand(PostSql, conn, tx);
            LedgerStore.AddEntryParameters(post, entries.Select(e => e.Entry).ToList());
            LedgerStore.Add(post, "invoice_ids_synced", NpgsqlDbType.Uuid, entries.Select(e => e.Row.Id).ToArray());
            LedgerStore.Add(post, "entry_ids_synced", NpgsqlDbType.Uuid, entries.Select(e => e.Entry.Id).ToArray());
            post.Parameters.AddWithValue("now", time.GetUtcNow().UtcDateTime);
            inserted = await LedgerStore.ReadIdsAsync(post, ct);
        }
        await tx.CommitAsync(ct);

        return new SyncBatchResult(
            entries.Select(e => new SyncedInvoice(e.Row.Id, e.Row.RunId, e.Entry, inserted.Contains(e.Entry.Id))).ToList(),
            rejected,
            ids.Where(id => !invoices.ContainsKey(id)).ToList());
    }

    static async Task<Dictionary<Guid, InvoiceRow>> LoadAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid[] ids, CancellationToken ct)
    {
        var rows = new Dictionary<Guid, InvoiceRow>();
        await using var batch = new NpgsqlBatch(conn, tx);
        foreach (var sql in new[] { InvoicesSql, LinesSql })
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = ids });
            batch.BatchCommands.Add(command);
        }
        await using var reader = await batch.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var row = new InvoiceRow(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.GetGuid(2),
                reader.GetString(3), reader.GetString(4).Trim(), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7),
                reader.GetFieldValue<DateTimeOffset>(8), reader.IsDBNull(9) ? null : reader.GetString(9));
            rows[row.Id] = row;
        }
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (rows.TryGetValue(reader.GetGuid(0), out var row))
                row.Lines.Add(new InvoiceLineForPosting(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3)));
        }
        return rows;
    }

    sealed record InvoiceRow(Guid Id, Guid? RunId, Guid AccountId, string Number, string Currency,
        long SubtotalMinor, long TaxMinor, long TotalMinor, DateTimeOffset IssuedAt, string? TraceId)
    {
        public List<InvoiceLineForPosting> Lines { get; } = [];

        public InvoiceForPosting ToPosting() => new(Id, AccountId, Number, Currency, Lines, SubtotalMinor, TaxMinor, TotalMinor);
    }
}
