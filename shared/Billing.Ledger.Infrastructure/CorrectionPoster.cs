using Billing.Ledger;
using Dapper;
using Npgsql;

namespace Billing.Ledger.Infrastructure;

/// <summary>The credit note (or voided invoice) is not committed yet, or not at all: worth a retry.</summary>
public sealed class CorrectionNotFoundException(string message) : Exception(message);

/// <summary>
/// Posts credit notes and voids: one entry per document (keyed by its id), under the invoice row's lock like
/// <see cref="DocumentPoster"/>, after the invoice's own entry (a void reverses it line by line). The document's
/// <c>synced_at</c> and entry id are written in the same transaction, so "synced" always means "in the ledger".
/// A redelivery finds the entry and changes nothing.
/// </summary>
public sealed class CorrectionPoster(NpgsqlDataSource dataSource)
{
    const string LockSql = "select number, status from invoices where id = @id for update";

    const string CreditNoteSql = """
        select c.id as creditnoteid, c.invoice_id as invoiceid, c.account_id as accountid, c.number, i.number as invoicenumber,
               trim(c.currency) as currency, c.subtotal_minor as subtotalminor, c.tax_minor as taxminor, c.total_minor as totalminor
          from credit_notes c join invoices i on i.id = c.invoice_id where c.id = @id
        """;

    const string CreditNoteSyncedSql = "update credit_notes set journal_entry_id = @entry, synced_at = coalesce(synced_at, now()) where id = @id";

    const string VoidSyncedSql = "update invoices set void_synced_at = coalesce(void_synced_at, now()) where id = @id";

    public async Task<(JournalEntry Entry, bool Inserted)> PostCreditNoteAsync(Guid creditNoteId, Guid invoiceId, DateTimeOffset postedAt, string? traceId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await LockAsync(conn, tx, invoiceId, ct);
        var note = await conn.QuerySingleOrDefaultAsync<CreditNoteForPosting>(new CommandDefinition(CreditNoteSql, new { id = creditNoteId }, tx, cancellationToken: ct))
            ?? throw new CorrectionNotFoundException($"credit note {creditNoteId} does not exist (yet)");
        var entries = await LedgerStore.ForInvoiceAsync(conn, tx, invoiceId, ct);
        if (!entries.Any(e => e.SourceType == SourceTypes.Invoice))
            throw new InvoiceNotSyncedException(invoiceId);
        var existing = entries.FirstOrDefault(e => e.SourceType == SourceTypes.CreditNote && e.SourceId == creditNoteId.ToString());
        var entry = existing ?? PostingRules.ForCreditNote(note, postedAt) with { TraceId = traceId };
        var inserted = existing is null && (await LedgerStore.InsertAsync(conn, tx, [entry], ct)).Contains(entry.Id);
        await conn.ExecuteAsync(new CommandDefinition(CreditNoteSyncedSql, new { id = creditNoteId, entry = entry.Id }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return (entry, inserted);
    }

    public async Task<(JournalEntry Entry, bool Inserted)> PostVoidAsync(Guid invoiceId, DateTimeOffset postedAt, string? traceId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (number, status) = await LockAsync(conn, tx, invoiceId, ct);
        if (status != "void")
            throw new CorrectionNotFoundException($"invoice {number} is {status}, not void (yet)");
        var entries = await LedgerStore.ForInvoiceAsync(conn, tx, invoiceId, ct);
        var invoiceEntry = entries.FirstOrDefault(e => e.SourceType == SourceTypes.Invoice) ?? throw new InvoiceNotSyncedException(invoiceId);
        var existing = entries.FirstOrDefault(e => e.SourceType == SourceTypes.Void);
        var entry = existing ?? PostingRules.ForVoid(invoiceEntry, number, postedAt) with { TraceId = traceId };
        var inserted = existing is null && (await LedgerStore.InsertAsync(conn, tx, [entry], ct)).Contains(entry.Id);
        await conn.ExecuteAsync(new CommandDefinition(VoidSyncedSql, new { id = invoiceId }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return (entry, inserted);
    }

    static async Task<(string Number, string Status)> LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid invoiceId, CancellationToken ct)
    {
        var rows = (await conn.QueryAsync<(string, string)>(new CommandDefinition(LockSql, new { id = invoiceId }, tx, cancellationToken: ct))).AsList();
        return rows.Count == 1 ? rows[0] : throw new UnknownInvoiceException(invoiceId);
    }
}
