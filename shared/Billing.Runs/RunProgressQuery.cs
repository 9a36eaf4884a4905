using Dapper;
using Npgsql;

namespace Billing.Runs;

/// <summary>
/// Progress of a run, computed from what each service wrote on the invoices (rendered, emailed, synced) and the
/// stage failures that are still open: a failure is open until its stage later succeeded for that invoice.
/// </summary>
public sealed class RunProgressQuery(NpgsqlDataSource dataSource)
{
    // Shared by the counts and the failure list: failures whose stage has not succeeded since.
    private const string OpenFailuresCte = """
        run as (select id, period from invoice_runs where id = @id),
        open_failures as (
            select distinct on (coalesce(f.invoice_id, f.account_id), f.stage) f.*, run.period,
                i.number, i.total_minor, i.currency, i.pdf_key, i.pdf_size, i.pdf_sha256
            from stage_failures f
            join run on run.id = f.run_id
            left join invoices i on i.id = f.invoice_id
            where f.resolved_at is null and case f.stage
                when 'generate' then not exists (select 1 from invoices x where x.account_id = f.account_id and x.period = run.period)
                    and not exists (select 1 from run_accounts ra where ra.run_id = f.run_id and ra.account_id = f.account_id and ra.state = 'skipped')
                when 'render' then i.pdf_rendered_at is null
                when 'email' then i.email_status <> 'sent'
                when 'sync' then i.synced_at is null
                when 'stripe' then i.stripe_pushed_at is null
                else i.id is null or i.synced_at is null or i.email_status = 'pending' end
            order by coalesce(f.invoice_id, f.account_id), f.stage, f.failed_at desc
        )
        """;

    private const string CountsSql = $"""
        with {OpenFailuresCte},
        inv as (select * from invoices where run_id = @id)
        select
            (select count(*)::int from inv) as generated,
            (select count(*)::int from inv where pdf_rendered_at is not null) as rendered,
            (select count(*)::int from inv where email_status = 'sent') as emailed,
            (select count(*)::int from inv where synced_at is not null) as synced,
            (select count(*)::int from inv where stripe_pushed_at is not null) as pushed,
            (select count(*)::int from run_accounts where run_id = @id and state = 'skipped') as skipped,
            (select count(distinct account_id)::int from open_failures) as failed,
            (select count(*)::int from run_accounts where run_id = @id) as settled,
            (select count(*)::int from inv where email_status in ('sent', 'suppressed', 'invalid_address', 'missing_pdf', 'failed')
                or exists (select 1 from open_failures f where f.invoice_id = inv.id and f.stage not in ('sync', 'stripe'))) as email_done,
            (select count(*)::int from inv where synced_at is not null
                or exists (select 1 from open_failures f where f.invoice_id = inv.id and f.stage not in ('render', 'email', 'stripe'))) as sync_done,
            (select extract(epoch from max(created_at) - min(created_at))::float8 from inv) as span_seconds;
        select currency, count(*)::int as invoices, sum(total_minor)::bigint as total_minor
        from invoices where run_id = @id group by currency order by currency;
        """;

    private const string FailuresSql = $"""
        with {OpenFailuresCte}
        select id, run_id, account_id, invoice_id, stage, message_type, input_queue, exception_type, reason, trace_id, failed_at,
            period, number, total_minor, currency, pdf_key, pdf_size, pdf_sha256
        from open_failures order by failed_at, id limit @limit
        """;

    public async Task<RunProgress?> GetAsync(Guid id, CancellationToken ct)
    {
        var run = await new RunStore(dataSource).GetAsync(id, ct);
        if (run is null) return null;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var multi = await conn.QueryMultipleAsync(new CommandDefinition(CountsSql, new { id }, cancellationToken: ct));
        var c = await multi.ReadSingleAsync<Counts>();
        var totals = (await multi.ReadAsync<CurrencySum>()).AsList();
        var accounts = run.Accounts ?? 0;
        var rate = c.Generated > 1 && c.SpanSeconds is > 0 ? (c.Generated - 1) / c.SpanSeconds.Value : 0;
        var remaining = Math.Max(0, accounts - c.Settled);
        double? eta = remaining == 0 ? 0 : rate > 0 ? remaining / rate : null;
        return new RunProgress(run, accounts, c.Generated, c.Rendered, c.Emailed, c.Synced, c.Pushed, c.Skipped, c.Failed,
            c.Settled, c.EmailDone, c.SyncDone, Math.Round(rate, 1), eta is null ? null : Math.Round(eta.Value, 1), totals);
    }

    public async Task<IReadOnlyList<FailureRow>> OpenFailuresAsync(Guid id, int limit, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<FailureRow>(new CommandDefinition(FailuresSql, new { id, limit }, cancellationToken: ct))).AsList();
    }

    private sealed class Counts
    {
        public int Generated { get; init; }
        public int Rendered { get; init; }
        public int Emailed { get; init; }
        public int Synced { get; init; }
        public int Pushed { get; init; }
        public int Skipped { get; init; }
        public int Failed { get; init; }
        public int Settled { get; init; }
        public int EmailDone { get; init; }
        public int SyncDone { get; init; }
        public double? SpanSeconds { get; init; }
    }
}
