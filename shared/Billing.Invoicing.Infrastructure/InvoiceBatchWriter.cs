using System.Globalization;
using Billing.Invoicing;
using Npgsql;
using NpgsqlTypes;
using Pending = Billing.Invoicing.Infrastructure.GroupedRequests<Billing.Invoicing.Infrastructure.NewInvoice, string?>.Pending;

namespace Billing.Invoicing.Infrastructure;

/// <param name="LateRecordIds">late usage records this invoice bills: marked with it in the same transaction.</param>
public sealed record NewInvoice(Guid InvoiceId, Guid RunId, Guid AccountId, BillingPeriod Period, string Issuer,
    ComputedInvoice Invoice, DateOnly DueAt, string? TraceId, long[]? LateRecordIds = null);

/// <summary>
/// Group commit for generation: invoices computed by concurrent consumers are stored together, one transaction
/// per batch, numbered from one UPDATE of each issuer's sequence row (locked until commit, so numbers stay
/// sequential and gapless across processes, and a rolled-back batch gives its numbers back). Commits, not
/// computation, bound generation speed: one commit for many invoices is what lets a run go faster than the
/// sequence row lock allows one invoice at a time. If a batch fails (e.g. an invoice already exists), each of its
/// invoices is stored on its own with <see cref="InvoiceStore.InsertAsync"/>, so one bad invoice fails alone.
/// An invoice of a cancelled run fails with <see cref="RunCancelledException"/> and is not stored.
/// </summary>
public sealed class InvoiceBatchWriter : IAsyncDisposable
{
    private const string NextNumbersSql = """
        update invoice_number_sequences set next_value = next_value + $2 where issuer = $1
        returning prefix, next_value - $2
        """;

    private const string InvoicesSql = """
        insert into invoices (id, run_id, account_id, period, issuer, number, currency, subtotal_minor, tax_rate, tax_minor, total_minor, due_at, trace_id)
        select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::numeric[],
            $10::bigint[], $11::bigint[], $12::date[], $13::text[])
        """;

    private const string LinesSql = """
        insert into invoice_lines (invoice_id, line_no, kind, component, description, quantity, unit_price, amount_minor, parent_line_no)
        select * from unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::numeric[], $8::bigint[], $9::int[])
        """;

    private const string RunAccountsSql = """
        insert into run_accounts (run_id, account_id, state)
        select r, a, 'generated' from unnest($1::uuid[], $2::uuid[]) as x(r, a)
        on conflict (run_id, account_id) do update set state = 'generated', reason = null, updated_at = now()
        """;

    // Only records no invoice has billed yet: if another invoice of the account took one meanwhile, the count is short
    // and the batch rolls back (the invoice alone then fails, and its retry prices the account again without them).
    private const string LateSql = """
        update usage_records u set billed_invoice_id = x.invoice_id from unnest($1::bigint[], $2::uuid[]) as x(id, invoice_id)
        where u.id = x.id and u.billed_invoice_id is null
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly InvoiceStore _single;
    private readonly GroupedRequests<NewInvoice, string?> _requests;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, bool> _cancelled = new();

    public InvoiceBatchWriter(NpgsqlDataSource dataSource, InvoiceStore single, int maxBatch = 128)
    {
        _dataSource = dataSource;
        _single = single;
        _requests = new(maxBatch, WriteAsync, "store invoices");
    }

    /// <returns>the invoice number, or null when an invoice for (account, period) already exists.</returns>
    /// <exception cref="RunCancelledException">the invoice's run is cancelled; nothing was stored.</exception>
    public Task<string?> InsertAsync(NewInvoice invoice, CancellationToken ct) => _requests.Enqueue(invoice, ct);

    private async Task WriteAsync(List<Pending> batch)
    {
        // Two requests for one account and period in a batch: the second goes alone and finds the first.
        var seen = new HashSet<(Guid, BillingPeriod)>();
        var together = new List<Pending>(batch.Count);
        var alone = new List<Pending>();
        foreach (var p in batch)
        {
            // A cancel is final: once seen, the run's invoices are refused without asking the database.
            if (_cancelled.ContainsKey(p.Request.RunId)) p.Done.TrySetException(new RunCancelledException(p.Request.RunId));
            else (seen.Add((p.Request.AccountId, p.Request.Period)) ? together : alone).Add(p);
        }
        if (together.Count == 1) alone.Insert(0, together[0]);
        else if (together.Count > 1)
        {
            try
            {
                foreach (var (p, number) in await WriteBatchAsync(together)) p.Done.TrySetResult(number);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                alone.InsertRange(0, together);
            }
        }
        foreach (var p in alone)
        {
            if (p.Done.Task.IsCompleted) continue; // refused in the batch: its run is cancelled
            try
            {
                var i = p.Request;
                p.Done.TrySetResult(await _single.InsertAsync(i.InvoiceId, i.RunId, i.AccountId, i.Period, i.Issuer, i.Invoice, i.DueAt, i.TraceId, CancellationToken.None, i.LateRecordIds));
            }
            catch (Exception e)
            {
                if (e is RunCancelledException c) _cancelled.TryAdd(c.RunId, true);
                p.Done.TrySetException(e);
            }
        }
    }

    private async Task<IEnumerable<(Pending, string)>> WriteBatchAsync(List<Pending> batch)
    {
        foreach (var issuer in batch.Select(p => p.Request.Issuer).Distinct()) await _single.EnsureIssuerAsync(issuer, CancellationToken.None);
        await using var conn = await _dataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        // Before numbering: invoices of a cancelled run are refused and take no number. The share lock on the runs'
        // rows holds a cancel back until this commit, so the cancel sees every invoice of the batch or none.
        var cancelled = await RunStore.LockCancelledAsync(conn, tx, batch.Select(p => p.Request.RunId).Distinct().ToArray());
        if (cancelled.Count > 0)
        {
            foreach (var p in batch.Where(p => cancelled.Contains(p.Request.RunId)))
            {
                _cancelled.TryAdd(p.Request.RunId, true);
                p.Done.TrySetException(new RunCancelledException(p.Request.RunId));
            }
            batch = batch.Where(p => !cancelled.Contains(p.Request.RunId)).ToList();
            if (batch.Count == 0) return [];
        }
        var numbers = new string[batch.Count];
        // Issuers in a fixed order: two processes locking several sequence rows cannot deadlock.
        foreach (var group in batch.Select((p, index) => (p, index)).GroupBy(x => x.p.Request.Issuer).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var items = group.ToList();
            await using var next = new NpgsqlCommand(NextNumbersSql, conn, tx) { Parameters = { new() { Value = group.Key }, new() { Value = (long)items.Count } } };
            await using var r = await next.ExecuteReaderAsync();
            if (!await r.ReadAsync()) throw new InvalidOperationException($"no invoice number sequence for issuer '{group.Key}'");
            var (prefix, first) = (r.GetString(0), r.GetInt64(1));
            for (var j = 0; j < items.Count; j++)
                numbers[items[j].index] = Format(prefix, items[j].p.Request.Period, first + j);
        }

        var invoices = batch.Select(p => p.Request).ToList();
        var lines = invoices.SelectMany(i => i.Invoice.Lines.Select(l => (i.InvoiceId, l))).ToList();
        await using var write = new NpgsqlBatch(conn, tx);
        write.BatchCommands.Add(Command(InvoicesSql,
            invoices.Select(i => i.InvoiceId).ToArray(),
            invoices.Select(i => i.RunId).ToArray(),
            invoices.Select(i => i.AccountId).ToArray(),
            invoices.Select(i => i.Period.ToString()).ToArray(),
            invoices.Select(i => i.Issuer).ToArray(),
            numbers,
            invoices.Select(i => i.Invoice.Currency).ToArray(),
            invoices.Select(i => i.Invoice.SubtotalMinor).ToArray(),
            invoices.Select(i => i.Invoice.TaxRatePercent).ToArray(),
            invoices.Select(i => i.Invoice.TaxMinor).ToArray(),
            invoices.Select(i => i.Invoice.TotalMinor).ToArray(),
            invoices.Select(i => i.DueAt).ToArray(),
            Nullable(invoices.Select(i => i.TraceId).ToArray())));
        write.BatchCommands.Add(Command(LinesSql,
            lines.Select(x => x.InvoiceId).ToArray(),
            lines.Select(x => x.l.LineNo).ToArray(),
            lines.Select(x => x.l.Kind).ToArray(),
            Nullable(lines.Select(x => x.l.Component).ToArray()),
            lines.Select(x => x.l.Description).ToArray(),
            lines.Select(x => x.l.Quantity).ToArray(),
            lines.Select(x => x.l.UnitPrice).ToArray(),
            lines.Select(x => x.l.AmountMinor).ToArray(),
            new NpgsqlParameter { Value = lines.Select(x => x.l.ParentLineNo).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer }));
        write.BatchCommands.Add(Command(RunAccountsSql,
            invoices.Select(i => i.RunId).ToArray(),
            invoices.Select(i => i.AccountId).ToArray()));
        var late = invoices.SelectMany(i => (i.LateRecordIds ?? []).Select(id => (id, i.InvoiceId))).ToList();
        if (late.Count > 0)
            write.BatchCommands.Add(Command(LateSql, late.Select(l => l.id).ToArray(), late.Select(l => l.InvoiceId).ToArray()));
        await write.ExecuteNonQueryAsync();
        if (late.Count > 0 && write.BatchCommands[^1].RecordsAffected != late.Count)
            throw new InvalidOperationException("late usage of this batch was billed by another invoice meanwhile");
        await tx.CommitAsync();
        return batch.Zip(numbers);
    }

    public static string Format(string prefix, BillingPeriod period, long n) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{period.Year:D4}-{n:D6}");

    private static NpgsqlParameter Nullable(string?[] values) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    /// <summary>A statement of a batch with positional parameters (values, or parameters when a type must be given).</summary>
    internal static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var v in values) command.Parameters.Add(v as NpgsqlParameter ?? new NpgsqlParameter { Value = v });
        return command;
    }

    public ValueTask DisposeAsync() => _requests.DisposeAsync();
}
