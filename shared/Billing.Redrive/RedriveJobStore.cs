using System.Text.Json;
using Dapper;
using Npgsql;

namespace Billing.Redrive;

/// <summary>
/// Redrive jobs (table redrive_jobs, migration 0012_redrive_jobs.sql): the admin API queues them, a redrive service
/// claims one at a time with FOR UPDATE SKIP LOCKED, reports progress per batch and heartbeats while it runs.
/// </summary>
public sealed class RedriveJobStore(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        id, queue, filter::text as FilterJson, rate, batch_size as BatchSize, max_messages as MaxMessages,
        requested_by as RequestedBy, state, cancel_requested as CancelRequested, total, moved, skipped, failed, parked,
        attempts, created_at as CreatedAt, started_at as StartedAt, completed_at as CompletedAt, error
        """;

    private const string InsertSql = """
        insert into redrive_jobs (id, queue, filter, rate, batch_size, max_messages, requested_by)
        values (@Id, @Queue, @FilterJson::jsonb, @Rate, @BatchSize, @MaxMessages, @RequestedBy)
        """;

    private const string GetSql = $"select {Columns} from redrive_jobs where id = @Id";

    // Queued jobs first come first served; a running job whose service stopped heartbeating is taken over.
    private const string ClaimSql = $"""
        update redrive_jobs j
        set state = 'running', claimed_by = @Owner, heartbeat_at = now(), started_at = coalesce(j.started_at, now()),
            attempts = j.attempts + 1
        where j.id = (
            select id from redrive_jobs
            where state = 'queued' or (state = 'running' and heartbeat_at < now() - make_interval(secs => @StaleSeconds))
            order by created_at
            for update skip locked
            limit 1)
        returning {Columns}
        """;

    private const string ProgressSql = """
        update redrive_jobs
        set total = @Total, moved = @Moved, skipped = @Skipped, failed = @Failed, parked = @Parked, heartbeat_at = now()
        where id = @Id and claimed_by = @Owner and state = 'running'
        returning cancel_requested
        """;

    private const string HeartbeatSql = """
        update redrive_jobs set heartbeat_at = now()
        where id = @Id and claimed_by = @Owner and state = 'running'
        returning cancel_requested
        """;

    private const string FinishSql = """
        update redrive_jobs
        set state = @State, total = @Total, moved = @Moved, skipped = @Skipped, failed = @Failed, parked = @Parked,
            error = @Error, completed_at = now(), heartbeat_at = now()
        where id = @Id and claimed_by = @Owner and state = 'running'
        """;

    // A service shutting down hands its job back with the progress so far; the next claim resumes it.
    private const string ReleaseSql = """
        update redrive_jobs
        set state = 'queued', claimed_by = null, total = @Total, moved = @Moved, skipped = @Skipped, failed = @Failed, parked = @Parked
        where id = @Id and claimed_by = @Owner and state = 'running'
        """;

    // A queued job is cancelled on the spot; a running one is flagged and its service stops after the batch in flight.
    private const string CancelSql = $"""
        update redrive_jobs
        set cancel_requested = true,
            state = case when state = 'queued' then 'cancelled' else state end,
            completed_at = case when state = 'queued' then now() else completed_at end
        where id = @Id and state in ('queued', 'running')
        returning {Columns}
        """;

    public async Task CreateAsync(Guid id, string queue, RedriveFilter filter, double? rate, int? batchSize, int? limit, string requestedBy, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(InsertSql, new
        {
            Id = id, Queue = queue, FilterJson = JsonSerializer.Serialize(filter, RedriveJob.FilterJson), Rate = rate,
            BatchSize = batchSize, MaxMessages = limit, RequestedBy = requestedBy,
        }, cancellationToken: ct));
    }

    public async Task<RedriveJob?> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(GetSql, new { Id = id }, cancellationToken: ct));
        return row?.ToJob();
    }

    /// <summary>The oldest queued job (or a stale running one) now owned by <paramref name="owner"/>, or null.</summary>
    public async Task<RedriveJob?> ClaimAsync(string owner, TimeSpan staleAfter, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(ClaimSql,
            new { Owner = owner, StaleSeconds = staleAfter.TotalSeconds }, cancellationToken: ct));
        return row?.ToJob();
    }

    /// <summary>Writes the counts and heartbeat; true when someone asked to cancel the job.</summary>
    public async Task<bool> ProgressAsync(Guid id, string owner, long total, long moved, long skipped, long failed, long parked, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool?>(new CommandDefinition(ProgressSql,
            new { Id = id, Owner = owner, Total = total, Moved = moved, Skipped = skipped, Failed = failed, Parked = parked }, cancellationToken: ct)) ?? false;
    }

    /// <summary>Keeps a running job owned; true when someone asked to cancel it.</summary>
    public async Task<bool> HeartbeatAsync(Guid id, string owner, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool?>(new CommandDefinition(HeartbeatSql, new { Id = id, Owner = owner }, cancellationToken: ct)) ?? false;
    }

    public async Task FinishAsync(Guid id, string owner, string state, long total, long moved, long skipped, long failed, long parked, string? error, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(FinishSql, new
        {
            Id = id, Owner = owner, State = state, Total = total, Moved = moved, Skipped = skipped, Failed = failed, Parked = parked, Error = error,
        }, cancellationToken: ct));
    }

    public async Task ReleaseAsync(Guid id, string owner, long total, long moved, long skipped, long failed, long parked, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(ReleaseSql, new
        {
            Id = id, Owner = owner, Total = total, Moved = moved, Skipped = skipped, Failed = failed, Parked = parked,
        }, cancellationToken: ct));
    }

    /// <summary>The job after the request, or null when it does not exist or has already finished.</summary>
    public async Task<RedriveJob?> RequestCancelAsync(Guid id, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(CancelSql, new { Id = id }, cancellationToken: ct));
        return row?.ToJob();
    }

    private sealed class Row
    {
        public Guid Id { get; set; }
        public string Queue { get; set; } = "";
        public string FilterJson { get; set; } = "{}";
        public double? Rate { get; set; }
        public int? BatchSize { get; set; }
        public int? MaxMessages { get; set; }
        public string RequestedBy { get; set; } = "";
        public string State { get; set; } = "";
        public bool CancelRequested { get; set; }
        public long Total { get; set; }
        public long Moved { get; set; }
        public long Skipped { get; set; }
        public long Failed { get; set; }
        public long Parked { get; set; }
        public int Attempts { get; set; }
        public DateTime CreatedAt { get; set; }
        public DateTime? StartedAt { get; set; }
        public DateTime? CompletedAt { get; set; }
        public string? Error { get; set; }

        public RedriveJob ToJob() => new(
            Id, Queue, JsonSerializer.Deserialize<RedriveFilter>(FilterJson, RedriveJob.FilterJson) ?? RedriveFilter.All, Rate, BatchSize,
            MaxMessages, RequestedBy, State, CancelRequested, Total, Moved, Skipped, Failed, Parked, Attempts,
            Utc(CreatedAt), StartedAt is { } s ? Utc(s) : null, CompletedAt is { } c ? Utc(c) : null, Error);

        private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));
    }
}
