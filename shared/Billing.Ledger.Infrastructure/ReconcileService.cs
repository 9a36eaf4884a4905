using System.Net;
using System.Text.Json;
using Billing.Ledger;
using Billing.Stripe;
using Npgsql;

namespace Billing.Ledger.Infrastructure;

/// <summary>
/// Loads the facts for <see cref="Reconciler"/>: every invoice, the receivable debit of its invoice entry, and —
/// when a Stripe client is configured — each invoice pushed to Stripe as Stripe holds it. Invoices never pushed
/// (no stripe_invoice_id) are checked against the ledger only.
/// </summary>
public sealed class ReconcileService(NpgsqlDataSource dataSource, StripeClient? stripe = null)
{
    const string InvoicesSql = $"""
        select id, account_id, number, currency, total_minor, status, email_status = '{EmailDeliveryStates.Sent}', synced_at is not null, stripe_invoice_id
          from invoices order by id
        """;

    const string LedgerSql = """
        select e.invoice_id, e.currency, sum(l.debit_minor - l.credit_minor)::bigint
          from journal_entries e join journal_lines l on l.entry_id = e.id
         where e.source_type = 'invoice' and l.ledger_account = 'accounts_receivable' and e.invoice_id is not null
         group by e.invoice_id, e.currency
        """;

    // Credit notes and voids with the receivable credit of their entry (null: no entry).
    const string CorrectionsSql = """
        select 'credit_note', c.invoice_id, c.account_id, 'credit note ' || c.number || ' of invoice ' || i.number, trim(c.currency), c.total_minor,
               (select sum(l.credit_minor - l.debit_minor)::bigint from journal_entries e join journal_lines l on l.entry_id = e.id
                 where e.source_type = 'credit_note' and e.source_id = c.id::text and l.ledger_account = 'accounts_receivable'),
               i.stripe_invoice_id, c.stripe_credit_note_id
          from credit_notes c join invoices i on i.id = c.invoice_id
        union all
        select 'void', i.id, i.account_id, 'void of invoice ' || i.number, trim(i.currency), i.total_minor,
               (select sum(l.credit_minor - l.debit_minor)::bigint from journal_entries e join journal_lines l on l.entry_id = e.id
                 where e.source_type = 'void' and e.source_id = i.id::text and l.ledger_account = 'accounts_receivable'),
               i.stripe_invoice_id, null
          from invoices i where i.status = 'void'
        """;

    const string InsertRunSql = """
        insert into reconciliation_runs (id, started_at, completed_at, status, accounts_checked, drift_count, report, trace_id)
        values (@id, @started_at, now(), @status, @accounts_checked, @drift_count, @report::jsonb, @trace_id)
        """;

    const string InsertDriftsSql = """
        insert into reconciliation_drifts (run_id, kind, invoice_id, account_id, expected, actual, detail)
        select @run_id, d.kind, d.invoice_id, d.account_id, d.expected, d.actual, d.detail
          from unnest(@kinds, @invoice_ids, @account_ids, @expected, @actual, @details) as d(kind, invoice_id, account_id, expected, actual, detail)
        """;

    static readonly HashSet<string> StripeKinds = [DriftKinds.MissingInStripe, DriftKinds.StripeAmountMismatch, DriftKinds.StatusMismatch];

    public bool ChecksStripe => stripe is not null;

    public async Task<ReconcileReport> RunAsync(CancellationToken ct)
    {
        var invoices = new List<InvoiceFact>();
        var ledger = new Dictionary<Guid, LedgerFact>();
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            await using (var cmd = new NpgsqlCommand(InvoicesSql, conn))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                    invoices.Add(new InvoiceFact(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3).Trim(),
                        reader.GetInt64(4), reader.GetString(5), reader.GetBoolean(6), reader.GetBoolean(7),
                        reader.IsDBNull(8) ? null : reader.GetString(8)));
            }
            await using (var cmd = new NpgsqlCommand(LedgerSql, conn))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                    ledger[reader.GetGuid(0)] = new LedgerFact(reader.GetGuid(0), reader.GetString(1).Trim(), reader.GetInt64(2));
            }
        }

        var corrections = new List<CorrectionFact>();
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        await using (var cmd = new NpgsqlCommand(CorrectionsSql, conn))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
                corrections.Add(new CorrectionFact(reader.GetString(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4),
                    reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                    reader.IsDBNull(8) ? null : reader.GetString(8)));
        }

        var report = WithCorrections(Reconciler.Compare(invoices, ledger, null), CorrectionReconciler.Compare(corrections, checkStripe: stripe is not null));
        if (stripe is null)
            return report;

        var pushed = invoices.Where(i => i.StripeInvoiceId is not null).ToList();
        var stripeFacts = await FetchStripeAsync(pushed, ct);
        var withStripe = Reconciler.Compare(pushed, ledger, stripeFacts);
        var drifts = report.Drifts.Concat(withStripe.Drifts.Where(d => StripeKinds.Contains(d.Kind))).ToList();
        var acceptable = report.Acceptable.Concat(withStripe.Acceptable.Where(a => a.Source == "stripe")).ToList();
        return report with
        {
            Status = drifts.Count == 0 ? ReconcileReport.Clean : ReconcileReport.DriftStatus,
            DriftCount = drifts.Count,
            Drifts = drifts,
            Acceptable = acceptable,
        };
    }

    static ReconcileReport WithCorrections(ReconcileReport report, IReadOnlyList<Drift> corrections)
    {
        if (corrections.Count == 0)
            return report;
        var drifts = report.Drifts.Concat(corrections).ToList();
        return report with { Status = ReconcileReport.DriftStatus, DriftCount = drifts.Count, Drifts = drifts };
    }

    async Task<Dictionary<Guid, StripeFact>> FetchStripeAsync(List<InvoiceFact> pushed, CancellationToken ct)
    {
        var facts = new Dictionary<Guid, StripeFact>();
        // The client's rate limiter paces the calls; a few in flight hide the round trip.
        await Parallel.ForEachAsync(pushed, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (invoice, token) =>
        {
            try
            {
                var found = await stripe!.GetInvoiceAsync(invoice.StripeInvoiceId!, token);
                lock (facts)
                    facts[invoice.InvoiceId] = new StripeFact(found.Id, found.Total, found.Status ?? "");
            }
            catch (StripeException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                // missing_in_stripe: left out of the facts
            }
        });
        return facts;
    }

    /// <summary>Stores a finished run and its drifts; returns the run id.</summary>
    public async Task<Guid> SaveAsync(ReconcileReport report, DateTimeOffset startedAt, string? traceId, CancellationToken ct)
    {
        var runId = Guid.CreateVersion7();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand(InsertRunSql, conn, tx))
        {
            cmd.Parameters.AddWithValue("id", runId);
            cmd.Parameters.AddWithValue("started_at", startedAt.UtcDateTime);
            cmd.Parameters.AddWithValue("status", report.Status);
            cmd.Parameters.AddWithValue("accounts_checked", report.AccountsChecked);
            cmd.Parameters.AddWithValue("drift_count", report.DriftCount);
            cmd.Parameters.AddWithValue("report", JsonSerializer.Serialize(report, LedgerJson.Options));
            cmd.Parameters.AddWithValue("trace_id", (object?)traceId ?? DBNull.Value);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        if (report.Drifts.Count > 0)
        {
            await using var cmd = new NpgsqlCommand(InsertDriftsSql, conn, tx);
            cmd.Parameters.AddWithValue("run_id", runId);
            cmd.Parameters.AddWithValue("kinds", report.Drifts.Select(d => d.Kind).ToArray());
            cmd.Parameters.AddWithValue("invoice_ids", report.Drifts.Select(d => d.InvoiceId).ToArray());
            cmd.Parameters.AddWithValue("account_ids", report.Drifts.Select(d => d.AccountId).ToArray());
            cmd.Parameters.AddWithValue("expected", report.Drifts.Select(d => d.Expected).ToArray());
            cmd.Parameters.AddWithValue("actual", report.Drifts.Select(d => d.Actual).ToArray());
            cmd.Parameters.AddWithValue("details", report.Drifts.Select(d => d.Detail).ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return runId;
    }
}
