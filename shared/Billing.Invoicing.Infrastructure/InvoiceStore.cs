using Billing.Invoicing;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Invoicing.Infrastructure;

/// <summary>
/// Storing one invoice on its own (the fallback of <see cref="InvoiceBatchWriter"/>): invoice, lines, number and
/// run state in ONE statement, in the transaction that share-locks the run (a cancelled run issues nothing). Reads for generation go through <see cref="BillingInputLoader"/>. The number comes from an UPDATE of the issuer's sequence row,
/// which locks it until commit: concurrent consumers take numbers one after another, and a statement that fails
/// (e.g. the invoice already exists) rolls the increment back, so numbers have no gaps.
/// </summary>
public sealed class InvoiceStore(NpgsqlDataSource dataSource)
{
    private const string ExistingSql = "select id, run_id, number, total_minor, currency from invoices where account_id = $1 and period = $2";

    private const string EnsureSequenceSql = "insert into invoice_number_sequences (issuer, prefix) values ($1, $2) on conflict (issuer) do nothing";

    private const string InsertSql = """
        with seq as (
            update invoice_number_sequences set next_value = next_value + 1 where issuer = $1
            returning prefix, next_value - 1 as n
        ), inv as (
            insert into invoices (id, run_id, account_id, period, issuer, number, currency, subtotal_minor, tax_rate, tax_minor, total_minor, due_at, trace_id)
            select $2, $3, $4, $5, $1, seq.prefix || '-' || $6 || '-' || lpad(seq.n::text, greatest(6, length(seq.n::text)), '0'),
                   $7, $8, $9, $10, $11, $12, $13
            from seq
            returning id, number
        ), lines as (
            insert into invoice_lines (invoice_id, line_no, kind, component, description, quantity, unit_price, amount_minor, parent_line_no)
            select inv.id, l.line_no, l.kind, l.component, l.description, l.quantity, l.unit_price, l.amount_minor, l.parent_line_no
            from inv, unnest($14::int[], $15::text[], $16::text[], $17::text[], $18::numeric[], $19::numeric[], $20::bigint[], $21::int[])
                as l(line_no, kind, component, description, quantity, unit_price, amount_minor, parent_line_no)
        ), ra as (
            insert into run_accounts (run_id, account_id, state)
            select $3, $4, 'generated' from inv
            on conflict (run_id, account_id) do update set state = 'generated', reason = null, updated_at = now()
        ), late as (
            update usage_records set billed_invoice_id = $2
            where id = any($22::bigint[]) and billed_invoice_id is null and exists (select 1 from inv)
            returning 1
        )
        select number, (select count(*)::int from late) from inv
        """;

    private const string SettleSql = """
        insert into run_accounts (run_id, account_id, state, reason) values ($1, $2, $3, $4)
        on conflict (run_id, account_id) do update set state = excluded.state, reason = excluded.reason, updated_at = now()
        """;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _knownIssuers = new();

    public async Task<ExistingInvoice?> FindAsync(Guid accountId, string period, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(ExistingSql, conn) { Parameters = { new() { Value = accountId }, new() { Value = period } } };
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct)
            ? new ExistingInvoice(r.GetGuid(0), r.IsDBNull(1) ? null : r.GetGuid(1), r.GetString(2), r.GetInt64(3), r.GetString(4))
            : null;
    }

    /// <returns>the invoice number, or null when an invoice for (account, period) already exists.</returns>
    /// <exception cref="RunCancelledException">the run is cancelled; nothing was stored.</exception>
    public async Task<string?> InsertAsync(Guid invoiceId, Guid runId, Guid accountId, BillingPeriod period, string issuer,
        ComputedInvoice invoice, DateOnly dueAt, string? traceId, CancellationToken ct, long[]? lateRecordIds = null)
    {
        await EnsureIssuerAsync(issuer, ct);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // As in the group commit: a cancelled run issues nothing, and a cancel waits for this transaction.
        if ((await RunStore.LockCancelledAsync(conn, tx, [runId])).Count > 0) throw new RunCancelledException(runId);
        var lines = invoice.Lines;
        lateRecordIds ??= [];
        await using var cmd = new NpgsqlCommand(InsertSql, conn, tx);
        var p = cmd.Parameters;
        p.Add(new NpgsqlParameter { Value = issuer });
        p.Add(new NpgsqlParameter { Value = invoiceId });
        p.Add(new NpgsqlParameter { Value = runId });
        p.Add(new NpgsqlParameter { Value = accountId });
        p.Add(new NpgsqlParameter { Value = period.ToString() });
        p.Add(new NpgsqlParameter { Value = period.Year.ToString("D4", System.Globalization.CultureInfo.InvariantCulture) });
        p.Add(new NpgsqlParameter { Value = invoice.Currency });
        p.Add(new NpgsqlParameter { Value = invoice.SubtotalMinor });
        p.Add(new NpgsqlParameter { Value = invoice.TaxRatePercent });
        p.Add(new NpgsqlParameter { Value = invoice.TaxMinor });
        p.Add(new NpgsqlParameter { Value = invoice.TotalMinor });
        p.Add(new NpgsqlParameter { Value = dueAt });
        p.Add(new NpgsqlParameter { Value = (object?)traceId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = lines.Select(l => l.LineNo).ToArray() });
        p.Add(new NpgsqlParameter { Value = lines.Select(l => l.Kind).ToArray() });
        p.Add(new NpgsqlParameter { Value = lines.Select(l => l.Component).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = lines.Select(l => l.Description).ToArray() });
        p.Add(new NpgsqlParameter { Value = lines.Select(l => l.Quantity).ToArray() });
        p.Add(new NpgsqlParameter { Value = lines.Select(l => l.UnitPrice).ToArray() });
        p.Add(new NpgsqlParameter { Value = lines.Select(l => l.AmountMinor).ToArray() });
        p.Add(new NpgsqlParameter { Value = lines.Select(l => l.ParentLineNo).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        p.Add(new NpgsqlParameter { Value = lateRecordIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        try
        {
            string number;
            int marked;
            await using (var r = await cmd.ExecuteReaderAsync(ct))
            {
                if (!await r.ReadAsync(ct)) throw new InvalidOperationException($"no invoice number sequence for issuer '{issuer}'");
                (number, marked) = (r.GetString(0), r.GetInt32(1));
            }
            // Late usage another invoice of the account billed meanwhile: store nothing; the retry prices it again.
            if (marked != lateRecordIds.Length)
                throw new InvalidOperationException($"{lateRecordIds.Length - marked} late usage records were billed by another invoice meanwhile");
            await tx.CommitAsync(ct);
            return number;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "invoices_account_id_period_key")
        {
            return null;
        }
    }

    /// <summary>Creates the issuer's number sequence on first use (once per process).</summary>
    public async Task EnsureIssuerAsync(string issuer, CancellationToken ct)
    {
        if (_knownIssuers.ContainsKey(issuer)) return;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var ensure = new NpgsqlCommand(EnsureSequenceSql, conn)
        {
            Parameters = { new() { Value = issuer }, new() { Value = PrefixFor(issuer) } },
        };
        await ensure.ExecuteNonQueryAsync(ct);
        _knownIssuers[issuer] = true;
    }

    /// <summary>Records the account's outcome for the run (skipped, or generated for an invoice found already stored).</summary>
    public async Task SettleAsync(Guid runId, Guid accountId, string state, string? reason, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(SettleSql, conn)
        {
            Parameters =
            {
                new() { Value = runId }, new() { Value = accountId }, new() { Value = state },
                new() { Value = (object?)reason ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
            },
        };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>INV for the default issuer, otherwise the issuer in capitals (letters and digits only).</summary>
    public static string PrefixFor(string issuer)
    {
        if (issuer == "default") return "INV";
        var prefix = new string(issuer.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
        return prefix.Length == 0 ? "INV" : prefix;
    }
}
