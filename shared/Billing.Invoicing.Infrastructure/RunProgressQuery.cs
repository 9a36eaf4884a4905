using Dapper;
using Npgsql;

namespace Billing.Invoicing.Infrastructure;

/// <summary>
/// Progress of a run, computed from what each service wrote on the invoices (rendered, emailed, synced) and the
/// stage failures that are still open: a failure is open until its stage later succeeded for that invoice.
/// </summary>
public sealed class RunProgressQuery(NpgsqlDataSource dataSource)
{
    // Shared by the counts and the failure list: failures whose stage has not succeeded since.
    private const string OpenFailuresCte = $"""
        run as (select id, period from invoice_runs where id = @id),
        open_failures as (
            select distinct on (coalesce(f.invoice_id, f.account_id), f.stage) f.*, run.period,
                i.number, i.total_minor, i.currency, i.pdf_key, i.pdf_size, i.pdf_sha256
            from stage_failures f
            join run on run.id = f.run_id
            left join invoices i on i.id = f.invoice_id
            where f.resolved_at is null and case f.stage
                when '{Stages.Generate}' then not exists (select 1 from invoices x where x.account_id = f.account_id and x.period = run.period)
                    and not exists (select 1 from run_accounts ra where ra.run_id = f.run_id and ra.account_id = f.account_id and ra.state = 'skipped')
                when '{Stages.Render}' then i.pdf_rendered_at is null
                when '{Stages.Email}' then i.email_status <> '{EmailDeliveryStates.Sent}'
                when '{Stages.Sync}' then i.synced_at is null
                when '{Stages.Stripe}' then i.stripe_pushed_at is null
                else i.id is null or i.synced_at is null or i.email_status = '{EmailDeliveryStates.Pending}' end
            order by coalesce(f.invoice_id, f.account_id), f.stage, f.failed_at desc
        )
        """;

    private const string CountsSql = $"""
        with {OpenFailuresCte},
        blocked as (
            select invoice_id,
                   bool_or(stage not in ('{Stages.Sync}', '{Stages.Stripe}')) as email,
                   bool_or(stage not in ('{Stages.Render}', '{Stages.Email}', '{Stages.Stripe}')) as sync
            from open_failures where invoice_id is not null group by invoice_id
        ),
        inv as (
            select count(*)::int as generated,
                   (count(*) filter (where i.pdf_rendered_at is not null))::int as rendered,
                   (count(*) filter (where i.email_status = '{EmailDeliveryStates.Sent}'))::int as emailed,
                   (count(*) filter (where i.synced_at is not null))::int as synced,
                   (count(*) filter (where i.stripe_pushed_at is not null))::int as pushed,
                   (count(*) filter (where i.email_status in ('{EmailDeliveryStates.Sent}', '{EmailDeliveryStates.Suppressed}', '{EmailDeliveryStates.InvalidAddress}', '{EmailDeliveryStates.MissingPdf}', '{EmailDeliveryStates.Failed}')
                       or coalesce(b.email, false)))::int as email_done,
                   (count(*) filter (where i.synced_at is not null or coalesce(b.sync, false)))::int as sync_done,
                   extract(epoch from max(i.created_at) - min(i.created_at))::float8 as span_seconds
            from invoices i left join blocked b on b.invoice_id = i.id
            where i.run_id = @id
        )
        select inv.*,
            (select count(*)::int from run_accounts where run_id = @id and state = 'skipped') as skipped,
            (select count(distinct account_id)::int from open_failures) as failed,
            (select count(*)::int from run_accounts where run_id = @id) as settled
        from inv;
        select currency, count(*)::int as invoices, sum(total_minor)::bigint as total_minor
        from invoices where run_id = @id group by currency order by currency;
        """;

    private const string FailuresSql = $"""
        with {OpenFailuresCte}
        select id, run_id, account_id, invoice_id, stage, message_type, input_queue, exception_type, reason, trace_id, failed_at,
            period, number, total_minor, currency, pdf_key, pdf_size, pdf_sha256
        from open_failures order by failed_at, id limit @limit
        """;

    private const string ByStageSql = $"""
        with {OpenFailuresCte}
        select stage as Stage, input_queue as Queue, count(*)::int as Count from open_failures group by stage, input_queue
        """;

    /// <summary>Open failures counted per stage and failing queue.</summary>
    public async Task<IReadOnlyList<StageFailureCount>> OpenFailuresByStageAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ByStage>(new CommandDefinition(ByStageSql, new { id }, cancellationToken: ct)))
            .Select(r => new StageFailureCount(r.Stage, r.Queue, r.Count)).ToList();
    }

    private sealed class ByStage
    {
        public string Stage { get; init; } = "";
        public string? Queue { get; init; }
        public int Count { get; init; }
    }

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
