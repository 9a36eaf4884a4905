using Billing.Invoicing;
using Dapper;
using Npgsql;

namespace Billing.Invoicing.Infrastructure;

public enum StartOutcome { Started, AlreadyRunning, AlreadyCompleted }

public enum CancelOutcome { Cancelling, NotFound, AlreadyOver }

/// <summary>invoice_runs: start, fan-out bookkeeping, listing and status changes.</summary>
public sealed class RunStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "id, period, status, accounts, requested_by, trace_id, started_at, fanned_out_at, completed_at, cancelled_at, cancelled_by";

    // A completed run of the period refuses another one: every account already has its invoice; failed requests
    // of a run are retried with retry-failed instead. A running one is refused by invoice_runs_one_running.
    private const string InsertSql = """
        insert into invoice_runs (id, period, requested_by, trace_id)
        select @Id, @Period, @RequestedBy, @TraceId
        where not exists (select 1 from invoice_runs where period = @Period and status = 'completed')
        returning id
        """;

    private const string GetSql = $"select {Columns} from invoice_runs where id = @id";

    private const string ListSql = $"""
        select {Columns} from invoice_runs where (@period::text is null or period = @period)
        order by started_at desc, id limit @limit offset @offset
        """;

    // The page after a run, in the order of ListSql (keyset: no offset scan however deep the page).
    private const string ListAfterSql = $"""
        select {Columns} from invoice_runs r
        where @after::uuid is null or exists (
            select 1 from invoice_runs c where c.id = @after
                and (r.started_at < c.started_at or (r.started_at = c.started_at and r.id > c.id)))
        order by started_at desc, id limit @limit
        """;

    private const string CountSql = "select count(*)::int from invoice_runs where (@period::text is null or period = @period)";

    private const string BlockingRunSql = $"""
        select {Columns} from invoice_runs where period = @period
        order by (status = 'completed') , started_at desc limit 1
        """;

    private const string SetAccountsSql = "update invoice_runs set accounts = @accounts where id = @id and fanned_out_at is null";

    private const string FannedOutSql = """
        update invoice_runs set fanned_out_at = now(), accounts = @accounts where id = @id and fanned_out_at is null
        """;

    // Billable in the period: at least one day between billing start and end (both inclusive) lies in it.
    private const string CountAccountsSql = """
        select count(*)::int from accounts
        where active and billing_starts_on <= @last::date and (billing_ends_on is null or billing_ends_on >= @first::date)
        """;

    private const string AccountPageSql = """
        select id from accounts
        where active and billing_starts_on <= @last::date and (billing_ends_on is null or billing_ends_on >= @first::date) and id > @after
        order by id limit @limit
        """;

    private const string ActiveRunsSql = $"select {Columns} from invoice_runs where status in ('running', 'needs_attention', 'cancelling') and fanned_out_at is not null";

    // Only one caller sees the change to completed, so only one publishes InvoiceRunCompleted. A cancelled run only
    // goes on to cancelled: a completion check that read it just before the cancel cannot complete it.
    // The change and its reason are written together: no status changes without a cause on record.
    private const string SetStatusSql = """
        with old as (select id, status from invoice_runs where id = @id for update),
        changed as (
            update invoice_runs r set status = @status, completed_at = case when @status in ('completed', 'cancelled') then now() end
            from old
            where r.id = old.id and old.status not in ('completed', 'cancelled') and old.status <> @status
                and (old.status <> 'cancelling' or @status = 'cancelled')
            returning r.completed_at, old.status as from_status),
        logged as (
            insert into run_status_changes (run_id, from_status, to_status, reason)
            select @id, from_status, @status, coalesce(@reason, 'status set to ' || @status) from changed)
        select completed_at from changed
        """;

    private const string HistorySql = """
        select from_status as FromStatus, to_status as ToStatus, reason as Reason, changed_at as ChangedAt
        from run_status_changes where run_id = @id order by id
        """;

    // The row lock of this UPDATE waits for every group commit holding the run's row (FOR SHARE, see
    // InvoiceBatchWriter): an invoice is either committed before the cancel or refused after it, never half.
    private const string CancelSql = $"""
        update invoice_runs set status = 'cancelling', cancelled_at = now(), cancelled_by = @by
        where id = @id and status in ('running', 'needs_attention')
        returning {Columns}
        """;

    /// <summary>Taken inside an invoice write's transaction: the runs of the invoices that are cancelled (see CancelSql).</summary>
    internal const string LockRunsSql = "select id, status from invoice_runs where id = any($1) order by id for share";

    public async Task<StartOutcome> StartAsync(Guid id, string period, string? requestedBy, string? traceId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        try
        {
            // Usage and charge writes hold the period lock shared while they check that the period is open; taking it
            // exclusively here means each such write either commits before the run exists or sees the period closed.
            await using var tx = await conn.BeginTransactionAsync(ct);
            await conn.ExecuteAsync(new CommandDefinition(Billing.Catalogue.PeriodLock.ExclusiveSql, new { Period = period }, tx, cancellationToken: ct));
            var inserted = await conn.ExecuteScalarAsync<Guid?>(new CommandDefinition(InsertSql,
                new { Id = id, Period = period, RequestedBy = requestedBy, TraceId = traceId }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return inserted is null ? StartOutcome.AlreadyCompleted : StartOutcome.Started;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "invoice_runs_one_running")
        {
            return StartOutcome.AlreadyRunning;
        }
    }

    /// <summary>Removes a run whose start command could not be sent, so the period is not blocked by a run that never runs.</summary>
    public async Task DeleteUnstartedAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "delete from invoice_runs where id = @id and fanned_out_at is null and not exists (select 1 from run_accounts where run_id = @id)",
            new { id }, cancellationToken: ct));
    }

    public async Task<RunRow?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(GetSql, new { id }, cancellationToken: ct));
    }

    public async Task<RunRow?> BlockingRunAsync(string period, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.QueryFirstOrDefaultAsync<RunRow>(new CommandDefinition(BlockingRunSql, new { period }, cancellationToken: ct));
    }

    /// <summary>Newest first, a page at a time, with how many runs there are in all.</summary>
    public async Task<(IReadOnlyList<RunRow> Runs, int Total)> ListAsync(string? period, int limit, int offset, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var runs = (await conn.QueryAsync<RunRow>(new CommandDefinition(ListSql, new { period, limit, offset }, cancellationToken: ct))).AsList();
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition(CountSql, new { period }, cancellationToken: ct));
        return (runs, total);
    }

    /// <summary>Newest first, the runs after <paramref name="after"/> (from the newest when null): a page by key.</summary>
    public async Task<IReadOnlyList<RunRow>> ListAfterAsync(Guid? after, int limit, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<RunRow>(new CommandDefinition(ListAfterSql, new { after, limit }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<RunRow>> ActiveRunsAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<RunRow>(new CommandDefinition(ActiveRunsSql, cancellationToken: ct))).AsList();
    }

    /// <summary>Accounts of the run with an outcome (generated, skipped or failed): a cheap first look at progress.</summary>
    public async Task<int> SettledCountAsync(Guid runId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "select count(*)::int from run_accounts where run_id = @runId", new { runId }, cancellationToken: ct));
    }

    /// <summary>Active accounts billable on at least one day of the period; recorded as the run's expected accounts.</summary>
    public async Task<int> CountBillableAccountsAsync(Guid runId, BillingPeriod period, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var count = await conn.ExecuteScalarAsync<int>(new CommandDefinition(CountAccountsSql,
            new { Days(period).first, Days(period).last }, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(SetAccountsSql, new { id = runId, accounts = count }, cancellationToken: ct));
        return count;
    }

    /// <summary>Active accounts billable in the period in id order, a page at a time (keyset pagination: no offset scans).</summary>
    public async IAsyncEnumerable<IReadOnlyList<Guid>> BillableAccountPagesAsync(BillingPeriod period, int pageSize,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var after = Guid.Empty;
        while (true)
        {
            List<Guid> page;
            await using (var conn = await dataSource.OpenConnectionAsync(ct))
                page = (await conn.QueryAsync<Guid>(new CommandDefinition(AccountPageSql,
                    new { Days(period).first, Days(period).last, after, limit = pageSize }, cancellationToken: ct))).AsList();
            if (page.Count == 0) yield break;
            yield return page;
            if (page.Count < pageSize) yield break;
            after = page[^1];
        }
    }

    // Dapper has no DateOnly parameters: midnight DateTimes, cast to date in the SQL.
    private static (DateTime first, DateTime last) Days(BillingPeriod period) =>
        (period.FirstDay.ToDateTime(TimeOnly.MinValue), period.LastDay.ToDateTime(TimeOnly.MinValue));

    /// <returns>false when the fan-out had already been recorded (a redelivered start).</returns>
    public async Task<bool> MarkFannedOutAsync(Guid id, int accounts, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(FannedOutSql, new { id, accounts }, cancellationToken: ct)) == 1;
    }

    /// <summary>Stops the run issuing invoices: refused (AlreadyOver) once it is completed, cancelling or cancelled.</summary>
    public async Task<(CancelOutcome Outcome, RunRow? Run)> CancelAsync(Guid id, string? by, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var changed = await conn.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(CancelSql, new { id, by }, cancellationToken: ct));
        if (changed is not null) return (CancelOutcome.Cancelling, changed);
        var run = await conn.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(GetSql, new { id }, cancellationToken: ct));
        return (run is null ? CancelOutcome.NotFound : CancelOutcome.AlreadyOver, run);
    }

    /// <summary>Runs among <paramref name="runIds"/> that are cancelled, read under a share lock held until the transaction ends.</summary>
    internal static async Task<HashSet<Guid>> LockCancelledAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid[] runIds)
    {
        var cancelled = new HashSet<Guid>();
        await using var cmd = new NpgsqlCommand(LockRunsSql, conn, tx) { Parameters = { new() { Value = runIds } } };
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            if (RunStatus.IsCancelled(r.GetString(1))) cancelled.Add(r.GetGuid(0));
        return cancelled;
    }

    /// <summary>The run's status changes, oldest first, each with its reason.</summary>
    public async Task<IReadOnlyList<RunStatusChange>> HistoryAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<RunStatusChange>(new CommandDefinition(HistorySql, new { id }, cancellationToken: ct))).AsList();
    }

    /// <returns>the completion time when this call changed the status to completed; otherwise null.</returns>
    public async Task<(bool Changed, DateTime? CompletedAt)> SetStatusAsync(Guid id, string status, CancellationToken ct, string? reason = null)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<DateTime?>(new CommandDefinition(SetStatusSql, new { id, status, reason }, cancellationToken: ct))).AsList();
        return rows.Count == 0 ? (false, null) : (true, rows[0]);
    }
}
