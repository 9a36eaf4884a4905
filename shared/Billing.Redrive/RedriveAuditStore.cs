using Dapper;
using Npgsql;

namespace Billing.Redrive;

/// <summary>The redrive audit log (table redrive_audit, migration 0003_redrive.sql).</summary>
public sealed class RedriveAuditStore(NpgsqlDataSource dataSource)
{
    private const string InsertSql = """
        insert into redrive_audit (id, action, queue, requested_by, filter, dry_run, rate, total, moved, skipped, failed, parked,
                                   outcome, error, started_at, finished_at)
        values (@Id, @Action, @Queue, @RequestedBy, @FilterJson::jsonb, @DryRun, @Rate, @Total, @Moved, @Skipped, @Failed, @Parked,
                @Outcome, @Error, @StartedAt, @FinishedAt)
        """;

    private const string ListSql = """
        select id, action, queue, requested_by as RequestedBy, filter::text as FilterJson, dry_run as DryRun, rate,
               total, moved, skipped, failed, parked, outcome, error, started_at as StartedAt, finished_at as FinishedAt
        from redrive_audit
        where (@Queue::text is null or queue = @Queue)
        order by started_at desc, id
        limit @Limit offset @Offset
        """;

    private const string CountSql = "select count(*)::int from redrive_audit where (@Queue::text is null or queue = @Queue)";

    public async Task InsertAsync(RedriveAuditEntry entry, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(InsertSql, new
        {
            entry.Id, entry.Action, entry.Queue, entry.RequestedBy, entry.FilterJson, entry.DryRun, entry.Rate,
            entry.Total, entry.Moved, entry.Skipped, entry.Failed, entry.Parked, entry.Outcome, entry.Error,
            StartedAt = entry.StartedAt.UtcDateTime, FinishedAt = entry.FinishedAt.UtcDateTime,
        }, cancellationToken: ct));
    }

    /// <summary>Newest first; all queues when <paramref name="queue"/> is null.</summary>
    public async Task<IReadOnlyList<RedriveAuditEntry>> ListAsync(string? queue = null, int limit = 100, CancellationToken ct = default) =>
        await ListAsync(queue, limit, 0, ct);

    /// <summary>How many entries there are (of one queue, or all).</summary>
    public async Task<int> CountAsync(string? queue, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition(CountSql, new { Queue = queue }, cancellationToken: ct));
    }

    /// <summary>Newest first, skipping the first <paramref name="offset"/> entries.</summary>
    public async Task<IReadOnlyList<RedriveAuditEntry>> ListAsync(string? queue, int limit, int offset, CancellationToken ct = default)
    {
        if (limit is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(limit), "limit must be between 1 and 10000.");
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(ListSql, new { Queue = queue, Limit = limit, Offset = offset }, cancellationToken: ct));
        return [.. rows.Select(r => new RedriveAuditEntry(
            r.Id, r.Action, r.Queue, r.RequestedBy, r.FilterJson, r.DryRun, r.Rate, r.Total, r.Moved, r.Skipped, r.Failed, r.Parked,
            r.Outcome, r.Error, new DateTimeOffset(DateTime.SpecifyKind(r.StartedAt, DateTimeKind.Utc)),
            new DateTimeOffset(DateTime.SpecifyKind(r.FinishedAt, DateTimeKind.Utc))))];
    }

    private sealed class Row
    {
        public Guid Id { get; set; }
        public string Action { get; set; } = "";
        public string Queue { get; set; } = "";
        public string RequestedBy { get; set; } = "";
        public string FilterJson { get; set; } = "{}";
        public bool DryRun { get; set; }
        public double? Rate { get; set; }
        public long Total { get; set; }
        public long Moved { get; set; }
        public long Skipped { get; set; }
        public long Failed { get; set; }
        public long Parked { get; set; }
        public string Outcome { get; set; } = "";
        public string? Error { get; set; }
        public DateTime StartedAt { get; set; }
        public DateTime FinishedAt { get; set; }
    }
}
