using System.Text.Json;
using Billing.Errors;
using Dapper;
using Npgsql;

namespace Billing.ErrorLog;

/// <summary>Filter of <c>GET /api/errors</c>; null fields do not filter.</summary>
public sealed record ErrorQuery(ErrorStatus? Status = null, Guid? RunId = null, string? ErrorType = null, int Limit = 100);

/// <summary>The outcome of an operator's update: the row after it, or why nothing was changed.</summary>
public sealed record ErrorUpdateResult(ErrorRecord? Record, IReadOnlyDictionary<string, string> Problems, bool Found)
{
    public bool Applied => Found && Problems.Count == 0;
}

/// <summary><c>error_monitorings</c> on PostgreSQL: the upsert by fingerprint the consumers use, and the reads
/// and checked updates of the admin API.</summary>
public sealed class PostgresErrorStore(NpgsqlDataSource dataSource) : IErrorStore
{
    private const string Columns = """
        id, fingerprint, service, error_type, code, message, status, created_at, updated_at, last_seen_at,
        occurrence_count, issue_link, backtrace, payload::text as payload, notes, invoice_id, account_id, run_id,
        trace_id, alerted_at, resolved_at
        """;

    // The known row is locked first, so the status read is the one the upsert replaces: a resolved error that
    // comes back is reopened and reported as new exactly once, also under concurrent consumers.
    private const string LockFingerprintSql = "select status from error_monitorings where fingerprint = @Fingerprint for update";

    // (xmax = 0) is true for a freshly inserted row.
    private const string UpsertSql = $"""
        insert into error_monitorings as e
            (fingerprint, service, error_type, code, message, backtrace, payload, invoice_id, account_id, run_id,
             trace_id, created_at, updated_at, last_seen_at)
        values (@Fingerprint, @Service, @ErrorType, @Code, @Message, @Backtrace, @Payload::jsonb, @InvoiceId, @AccountId,
                @RunId, @TraceId, @Now, @Now, @Now)
        on conflict (fingerprint) do update set
            occurrence_count = e.occurrence_count + 1,
            last_seen_at = greatest(e.last_seen_at, excluded.last_seen_at),
            updated_at = excluded.updated_at,
            trace_id = coalesce(excluded.trace_id, e.trace_id),
            status = case when e.status = 'resolved' then 'open' else e.status end,
            resolved_at = case when e.status = 'resolved' then null else e.resolved_at end
        returning {Columns}, (xmax = 0) as inserted
        """;

    private const string ListSql = $"""
        select {Columns} from error_monitorings
        where (@Status::text is null or status = @Status)
          and (@RunId::uuid is null or run_id = @RunId)
          and (@ErrorType::text is null or error_type = @ErrorType)
        order by last_seen_at desc, id desc
        limit @Limit
        """;

    private const string GetSql = $"select {Columns} from error_monitorings where id = @Id";

    private const string LockSql = $"select {Columns} from error_monitorings where id = @Id for update";

    private const string UpdateSql = $"""
        update error_monitorings set
            status = @Status,
            notes = @Notes,
            issue_link = @IssueLink,
            updated_at = @Now,
            resolved_at = case when @Status = 'resolved' and status <> 'resolved' then @Now
                               when @Status = 'resolved' then resolved_at
                               else null end
        where id = @Id
        returning {Columns}
        """;

    // Everything either summary can show: created, resolved or seen in the window, or still unresolved.
    private const string SummarySql = $"""
        select {Columns} from error_monitorings
        where created_at <= @Now
          and (status <> 'resolved' or created_at > @Since or resolved_at > @Since or last_seen_at > @Since)
        order by id
        """;

    public async Task<RecordedError> RecordAsync(ErrorReport report, string fingerprint, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(fingerprint);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var prior = await conn.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(LockFingerprintSql,
            new { Fingerprint = fingerprint }, tx, cancellationToken: ct));
        var row = await conn.QuerySingleAsync<UpsertRow>(new CommandDefinition(UpsertSql, new
        {
            Fingerprint = fingerprint,
            report.Service,
            report.ErrorType,
            Code = report.Code ?? "",
            report.Message,
            report.Backtrace,
            Payload = report.Payload is { ValueKind: not JsonValueKind.Undefined } p ? p.GetRawText() : null,
            report.InvoiceId,
            report.AccountId,
            report.RunId,
            report.TraceId,
            Now = now,
        }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        var isNew = row.Inserted || prior == "resolved";
        return new RecordedError(row.ToRecord(), isNew);
    }

    public async Task<IReadOnlyList<ErrorRecord>> ListAsync(ErrorQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(ListSql, new
        {
            Status = query.Status?.ToName(),
            query.RunId,
            query.ErrorType,
            query.Limit,
        }, cancellationToken: ct));
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<ErrorRecord?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(GetSql, new { Id = id }, cancellationToken: ct));
        return row?.ToRecord();
    }

    /// <summary>Applies an operator's update when <see cref="ErrorUpdateRules"/> allow it against the row as it is
    /// now (locked, so two operators cannot both move it); on any problem nothing is written.</summary>
    public async Task<ErrorUpdateResult> UpdateAsync(long id, ErrorUpdate update, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(LockSql, new { Id = id }, tx, cancellationToken: ct));
        if (current is null) return new ErrorUpdateResult(null, new Dictionary<string, string>(), Found: false);
        var record = current.ToRecord();
        var problems = ErrorUpdateRules.Validate(record.Status, update);
        if (problems.Count > 0) return new ErrorUpdateResult(record, problems, Found: true);

        var status = update.Status ?? record.Status.ToName();
        var updated = await conn.QuerySingleAsync<Row>(new CommandDefinition(UpdateSql, new
        {
            Id = id,
            Status = status,
            Notes = update.Notes ?? record.Notes,
            // An empty link clears it.
            IssueLink = update.IssueLink is null ? record.IssueLink : update.IssueLink.Length == 0 ? null : update.IssueLink,
            Now = now,
        }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new ErrorUpdateResult(updated.ToRecord(), problems, Found: true);
    }

    /// <summary>The rows <see cref="SummaryBuilder"/> needs for a summary ending at <paramref name="now"/>.</summary>
    public async Task<IReadOnlyList<ErrorRecord>> ForSummaryAsync(DateTimeOffset now, TimeSpan length, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(SummarySql, new { Now = now, Since = now - length }, cancellationToken: ct));
        return rows.Select(r => r.ToRecord()).ToList();
    }

    private class Row
    {
        public long Id { get; set; }
        public string Fingerprint { get; set; } = "";
        public string Service { get; set; } = "";
        public string ErrorType { get; set; } = "";
        public string Code { get; set; } = "";
        public string Message { get; set; } = "";
        public string Status { get; set; } = "";
        public DateTime CreatedAt { get; set; }
        public DateTime UpdatedAt { get; set; }
        public DateTime LastSeenAt { get; set; }
        public int OccurrenceCount { get; set; }
        public string? IssueLink { get; set; }
        public string? Backtrace { get; set; }
        public string? Payload { get; set; }
        public string? Notes { get; set; }
        public Guid? InvoiceId { get; set; }
        public Guid? AccountId { get; set; }
        public Guid? RunId { get; set; }
        public string? TraceId { get; set; }
        public DateTime? AlertedAt { get; set; }
        public DateTime? ResolvedAt { get; set; }

        public ErrorRecord ToRecord() => new(Id, Fingerprint, Service, ErrorType, Code, Message,
            ErrorStatuses.TryParse(Status, out var s) ? s : throw new InvalidOperationException($"unknown status '{Status}' in error {Id}"),
            Utc(CreatedAt), Utc(UpdatedAt), Utc(LastSeenAt), OccurrenceCount, IssueLink, Backtrace, Payload, Notes,
            InvoiceId, AccountId, RunId, TraceId, Utc(AlertedAt), Utc(ResolvedAt));

        private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

        private static DateTimeOffset? Utc(DateTime? t) => t is { } v ? Utc(v) : null;
    }

    private sealed class UpsertRow : Row
    {
        public bool Inserted { get; set; }
    }
}
