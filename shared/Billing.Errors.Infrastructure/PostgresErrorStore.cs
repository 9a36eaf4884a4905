using System.Text.Json;
using Billing.Errors;
using Dapper;
using Npgsql;

namespace Billing.Errors.Infrastructure;

/// <summary>Which error groups a list or a bulk change is about (<c>GET /api/errors</c>, <c>POST /api/errors/bulk</c>);
/// null fields do not filter, and every field given must match. <paramref name="RunId"/> matches a group that hit the
/// run with any of its occurrences. <paramref name="SeenFrom"/> and <paramref name="SeenBefore"/> keep the groups seen
/// in that time: last seen at or after the one, first seen before the other. <paramref name="After"/> pages a list by
/// key: only the groups that come after that group in the list's order (most recently seen first); it does not narrow
/// a count or a bulk change.</summary>
public sealed record ErrorQuery(ErrorStatus? Status = null, Guid? RunId = null, string? ErrorType = null, int Limit = 100,
    string? Service = null, string? MessageType = null, IReadOnlyList<long>? Ids = null, int Offset = 0,
    DateTimeOffset? SeenFrom = null, DateTimeOffset? SeenBefore = null, long? After = null)
{
    /// <summary>True when nothing narrows the query: every group matches.</summary>
    public bool IsEmpty => Status is null && RunId is null && ErrorType is null && Service is null && MessageType is null && Ids is null
                           && SeenFrom is null && SeenBefore is null;
}

/// <summary>The outcome of an operator's update: the row after it, or why nothing was changed.</summary>
public sealed record ErrorUpdateResult(ErrorRecord? Record, IReadOnlyDictionary<string, string> Problems, bool Found)
{
    public bool Applied => Found && Problems.Count == 0;
}

/// <summary>How many invoices, accounts, runs and business keys a group hit.</summary>
public sealed record AffectedCounts(int Invoices, int Accounts, int Runs, int Keys)
{
    public static readonly AffectedCounts None = new(0, 0, 0, 0);
}

/// <summary>One invoice, account, run or business key a group hit.</summary>
public sealed record AffectedSubject(string Kind, string Subject, int Occurrences, DateTimeOffset FirstSeenAt, DateTimeOffset LastSeenAt);

/// <summary>A change applied to every group of a filter at once; null fields are left as they are. The note is
/// appended to each group's notes.</summary>
public sealed record ErrorBulkChange(string? Status = null, string? Note = null, string? IssueLink = null);

/// <summary>What a bulk change did, or (Problems not empty) why it did nothing.</summary>
public sealed record ErrorBulkResult(int Matched, IReadOnlyList<long> Changed, IReadOnlyList<long> Unchanged,
    IReadOnlyDictionary<string, string> Problems)
{
    public bool Applied => Problems.Count == 0;
}

/// <summary>A group the error log resolved by itself, and the note that says why.</summary>
public sealed record AutoResolution(long Id, string Note);

public sealed class PostgresErrorStore(NpgsqlDataSource dataSource) : IErrorStore
{
    /// <summary>A bulk change refuses filters matching more groups than this: narrow the filter instead.</summary>
    public const int MaxBulk = 10_000;

    private const string Columns = """
        id, fingerprint, service, error_type, code, message, status, created_at, updated_at, last_seen_at,
        occurrence_count, issue_link, backtrace, payload::text as payload, notes, invoice_id, account_id, run_id,
        trace_id, alerted_at, resolved_at, message_type, stage
        """;

    private const string Filter = """
        (@Status::text is null or e.status = @Status)
          and (@RunId::uuid is null or e.run_id = @RunId
               or exists (select 1 from error_subjects s where s.error_id = e.id and s.kind = 'run' and s.subject = @RunId::text))
          and (@ErrorType::text is null or e.error_type = @ErrorType)
          and (@Service::text is null or e.service = @Service)
          and (@MessageType::text is null or e.message_type = @MessageType)
          and (@Ids::bigint[] is null or e.id = any(@Ids))
          and (@SeenFrom::timestamptz is null or e.last_seen_at >= @SeenFrom)
          and (@SeenBefore::timestamptz is null or e.created_at < @SeenBefore)
        """;

    // Each occurrence counts once more for every subject it names.
    private const string SubjectsSql = """
        insert into error_subjects as s (error_id, kind, subject, first_seen_at, last_seen_at)
        select @Id, kind, subject, @Now, @Now from unnest(@Kinds::text[], @Subjects::text[]) as t(kind, subject)
        on conflict (error_id, kind, subject) do update set
            occurrences = s.occurrences + 1,
            last_seen_at = greatest(s.last_seen_at, excluded.last_seen_at)
        """;

    // The known row is locked first, so the status read is the one the upsert replaces: a resolved error that
    // comes back is reopened and reported as new exactly once, also under concurrent consumers.
    private const string LockFingerprintSql = "select status from error_monitorings where fingerprint = @Fingerprint for update";

    // (xmax = 0) is true for a freshly inserted row.
    private const string UpsertSql = $"""
        insert into error_monitorings as e
            (fingerprint, service, error_type, code, message, backtrace, payload, invoice_id, account_id, run_id,
             trace_id, created_at, updated_at, last_seen_at, message_type, stage)
        values (@Fingerprint, @Service, @ErrorType, @Code, @Message, @Backtrace, @Payload::jsonb, @InvoiceId, @AccountId,
                @RunId, @TraceId, @Now, @Now, @Now, @MessageType, @Stage)
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
        select {Columns} from error_monitorings e
        where {Filter}
          and (@After::bigint is null
               or (e.last_seen_at, e.id) < (select a.last_seen_at, a.id from error_monitorings a where a.id = @After))
        order by last_seen_at desc, id desc
        limit @Limit offset @Offset
        """;

    private const string CountSql = $"select count(*)::int from error_monitorings e where {Filter}";

    private const string LockFilterSql = $"select {Columns} from error_monitorings e where {Filter} order by id for update";

    private const string AffectedCountsSql = """
        select error_id as Id,
               (count(*) filter (where kind = 'invoice'))::int as Invoices,
               (count(*) filter (where kind = 'account'))::int as Accounts,
               (count(*) filter (where kind = 'run'))::int as Runs,
               (count(*) filter (where kind = 'key'))::int as Keys
        from error_subjects where error_id = any(@Ids) group by error_id
        """;

    private const string AffectedSql = """
        select kind, subject, occurrences, first_seen_at, last_seen_at from error_subjects
        where error_id = @Id and kind = @Kind
        order by first_seen_at, subject
        limit @Limit offset @Offset;
        select count(*)::int from error_subjects where error_id = @Id and kind = @Kind;
        """;

    // The operator's note goes after the earlier ones; past the column's 4,000 characters the oldest give way.
    private const string BulkUpdateSql = $"""
        update error_monitorings set
            status = coalesce(@Status, status),
            notes = case when @Note::text is null then notes else right(coalesce(notes || E'\n', '') || @Note, 4000) end,
            issue_link = case when @IssueLink::text is null then issue_link when @IssueLink = '' then null else @IssueLink end,
            updated_at = @Now,
            resolved_at = case when @Status = 'resolved' and status <> 'resolved' then @Now
                               when @Status is null or @Status = 'resolved' then resolved_at
                               else null end
        where id = any(@Ids)
        """;

    // Unresolved groups about a stage whose every listed invoice (or, for generate, every listed account in one of the
    // listed runs' periods) has gone through that stage since: the work succeeded through another delivery.
    private const string ResolvableSql = $"""
        select e.id as Id, e.stage as Stage, e.code as Code, e.created_at as CreatedAt, e.last_seen_at as LastSeenAt,
               e.occurrence_count as Occurrences, count(s.subject)::int as Subjects
        from error_monitorings e
        join error_subjects s on s.error_id = e.id and s.kind = case when e.stage = '{Stages.Generate}' then 'account' else 'invoice' end
        where e.status <> 'resolved' and e.stage is not null
          -- Not while a redrive of one of its dead-letter queues is queued or running: what it brings back may fail
          -- again, and once it is done the note can name it (its messages can all go through before it records that).
          and not exists (select 1 from redrive_jobs j where j.state in ('queued', 'running')
                          and j.queue in (e.code || '_error', e.code || '_skipped', e.code || '_parked', e.code || '_error_archive'))
        group by e.id
        having bool_and(case e.stage
            when '{Stages.Render}' then exists (select 1 from invoices i where i.id = s.subject::uuid and i.pdf_rendered_at is not null)
            when '{Stages.Email}' then exists (select 1 from invoices i where i.id = s.subject::uuid and i.email_status = '{EmailDeliveryStates.Sent}')
            when '{Stages.Sync}' then exists (select 1 from invoices i where i.id = s.subject::uuid and i.synced_at is not null)
            when '{Stages.Stripe}' then exists (select 1 from invoices i where i.id = s.subject::uuid and i.stripe_pushed_at is not null)
            when '{Stages.Generate}' then exists (
                select 1 from error_subjects r join invoice_runs ir on ir.id = r.subject::uuid
                where r.error_id = e.id and r.kind = 'run'
                  and (exists (select 1 from invoices i where i.account_id = s.subject::uuid and i.period = ir.period)
                       or exists (select 1 from run_accounts ra where ra.run_id = ir.id and ra.account_id = s.subject::uuid and ra.state = 'skipped')))
            else false end)
        """;

    // The redrive that most likely brought the messages back: a completed job on one of the group's dead-letter queues.
    private const string RedriveOfSql = """
        select id as Id, queue as Queue, moved as Moved, completed_at as CompletedAt from redrive_jobs
        where state = 'completed' and moved > 0 and completed_at >= @Since
          and queue in (@Code || '_error', @Code || '_skipped', @Code || '_parked', @Code || '_error_archive')
        order by completed_at desc limit 1
        """;

    // Only while the group is as it was read: an occurrence recorded meanwhile keeps it open for the next check.
    private const string AutoResolveSql = """
        update error_monitorings set
            status = 'resolved', resolved_at = @Now, updated_at = @Now,
            notes = right(coalesce(notes || E'\n', '') || @Note, 4000)
        where id = @Id and status <> 'resolved' and last_seen_at = @LastSeenAt
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
            MessageType = report.MessageType ?? "",
            Stage = ErrorStages.Of(report),
        }, tx, cancellationToken: ct));
        var (kinds, subjects) = SubjectsOf(report);
        if (kinds.Length > 0)
            await conn.ExecuteAsync(new CommandDefinition(SubjectsSql, new { row.Id, Now = now, Kinds = kinds, Subjects = subjects }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        var isNew = row.Inserted || prior == "resolved";
        return new RecordedError(row.ToRecord(), isNew);
    }

    private static (string[] Kinds, string[] Subjects) SubjectsOf(ErrorReport report)
    {
        var pairs = new List<(string, string)>();
        if (report.InvoiceId is { } invoice) pairs.Add(("invoice", invoice.ToString("D")));
        if (report.AccountId is { } account) pairs.Add(("account", account.ToString("D")));
        if (report.RunId is { } run && run != Guid.Empty) pairs.Add(("run", run.ToString("D")));
        if (!string.IsNullOrWhiteSpace(report.BusinessKey)) pairs.Add(("key", report.BusinessKey.Trim()));
        return ([.. pairs.Select(p => p.Item1)], [.. pairs.Select(p => p.Item2)]);
    }

    private static object Parameters(ErrorQuery query) => new
    {
        Status = query.Status?.ToName(),
        query.RunId,
        query.ErrorType,
        query.Service,
        query.MessageType,
        Ids = query.Ids?.ToArray(),
        query.SeenFrom,
        query.SeenBefore,
        query.After,
        query.Limit,
        query.Offset,
    };

    public async Task<IReadOnlyList<ErrorRecord>> ListAsync(ErrorQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(ListSql, Parameters(query), cancellationToken: ct));
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>How many groups the query matches, whatever its limit and offset.</summary>
    public async Task<int> CountAsync(ErrorQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition(CountSql, Parameters(query), cancellationToken: ct));
    }

    public async Task<IReadOnlyDictionary<long, AffectedCounts>> AffectedCountsAsync(IReadOnlyList<long> ids, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) return new Dictionary<long, AffectedCounts>();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<CountsRow>(new CommandDefinition(AffectedCountsSql, new { Ids = ids.ToArray() }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Id, r => new AffectedCounts(r.Invoices, r.Accounts, r.Runs, r.Keys));
    }

    /// <summary>A page of the subjects of one kind (invoice, account, run, key) a group hit, first hit first, and their total.</summary>
    public async Task<(int Total, IReadOnlyList<AffectedSubject> Items)> AffectedAsync(long id, string kind, int limit, int offset, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var multi = await conn.QueryMultipleAsync(new CommandDefinition(AffectedSql,
            new { Id = id, Kind = kind, Limit = limit, Offset = offset }, cancellationToken: ct));
        var items = (await multi.ReadAsync<SubjectRow>()).Select(r => r.ToSubject()).ToList();
        var total = await multi.ReadSingleAsync<int>();
        return (total, items);
    }

    /// <summary>Applies one change to every group the filter matches, in one transaction with the rows locked: either
    /// every group may take it (<see cref="ErrorUpdateRules"/>) and all are changed, or nothing is written and the
    /// problems say which groups refused and why. Groups already in the target status keep it (and get no note).
    /// An empty filter is refused: naming no group must not mean every group.</summary>
    public async Task<ErrorBulkResult> BulkUpdateAsync(ErrorQuery filter, ErrorBulkChange change, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(change);
        var problems = new Dictionary<string, string>();
        if (filter.IsEmpty) problems["filter"] = "give ids or at least one of status, service, type, message_type, run_id";
        if (filter.Ids is { Count: 0 }) problems["ids"] = "ids, when given, must list at least one id";
        if (change.Status is null && change.Note is null && change.IssueLink is null)
            problems["change"] = "give at least one of status, note, issue_link";
        if (change.Note is { } note && string.IsNullOrWhiteSpace(note)) problems["note"] = "note must not be blank";
        // The rules of a single update, checked against a status the change cannot trip on, catch bad values up front.
        foreach (var (field, problem) in ErrorUpdateRules.Validate(ErrorStatus.Open, new ErrorUpdate(null, change.Note, change.IssueLink)))
            problems[field == "notes" ? "note" : field] = problem.Replace("notes must", "note must", StringComparison.Ordinal);
        if (change.Status is not null && !ErrorStatuses.TryParse(change.Status, out _))
            problems["status"] = ErrorStatuses.UnknownMessage(change.Status);
        if (problems.Count > 0) return new ErrorBulkResult(0, [], [], problems);

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var rows = (await conn.QueryAsync<Row>(new CommandDefinition(LockFilterSql, Parameters(filter), tx, cancellationToken: ct)))
            .Select(r => r.ToRecord()).ToList();
        if (rows.Count > MaxBulk)
            return new ErrorBulkResult(rows.Count, [], [], new Dictionary<string, string>
            {
                ["filter"] = $"the filter matches {rows.Count:N0} groups, more than {MaxBulk:N0} at once; narrow it",
            });
        var missing = filter.Ids?.Except(rows.Select(r => r.Id)).Order().ToList() ?? [];
        if (missing.Count > 0)
            problems["ids"] = $"no error {string.Join(", ", missing)}" + (filter.Ids!.Count > missing.Count ? " (or it does not match the other criteria)" : "");

        List<ErrorRecord> changing = rows, unchanged = [];
        if (change.Status is not null && ErrorStatuses.TryParse(change.Status, out var target))
        {
            unchanged = rows.Where(r => r.Status == target).ToList();
            changing = rows.Where(r => r.Status != target).ToList();
            foreach (var refused in changing.GroupBy(r => r.Status).Where(g => !ErrorTransitions.IsAllowed(g.Key, target)))
            {
                var ids = refused.Select(r => r.Id).ToList();
                problems[$"status:{refused.Key.ToName()}"] =
                    $"{Plural(ids.Count, "error")} ({Ids(ids)}) {(ids.Count == 1 ? "is" : "are")} {refused.Key.ToName()}: {ErrorTransitions.Validate(refused.Key, target)}";
            }
        }
        if (problems.Count > 0) return new ErrorBulkResult(rows.Count, [], [], problems);

        var changedIds = changing.Select(r => r.Id).ToArray();
        if (changedIds.Length > 0)
            await conn.ExecuteAsync(new CommandDefinition(BulkUpdateSql, new
            {
                change.Status,
                change.Note,
                change.IssueLink,
                Now = now,
                Ids = changedIds,
            }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new ErrorBulkResult(rows.Count, changedIds, unchanged.Select(r => r.Id).ToList(), problems);
    }

    /// <summary>Resolves every unresolved group whose failed stage has since gone through for everything it lists
    /// (see ResolvableSql), with a note saying so and naming the redrive that most likely did it.</summary>
    public async Task<IReadOnlyList<AutoResolution>> AutoResolveAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var candidates = (await conn.QueryAsync<Resolvable>(new CommandDefinition(ResolvableSql, cancellationToken: ct))).ToList();
        var resolved = new List<AutoResolution>();
        foreach (var c in candidates)
        {
            var createdAt = Utc(c.CreatedAt);
            var redrive = await conn.QuerySingleOrDefaultAsync<RedriveRow>(new CommandDefinition(RedriveOfSql,
                new { Since = createdAt, c.Code }, cancellationToken: ct));
            var what = c.Stage == Stages.Generate ? "accounts" : "invoices";
            var all = c.Subjects == 1 ? $"the one {what[..^1]} it lists" : $"all {c.Subjects:N0} {what} it lists";
            var how = redrive is not null
                ? $"after redrive job {redrive.Id:D} ({redrive.Moved:N0} messages from {redrive.Queue}, done {Time(Utc(redrive.CompletedAt))} UTC)"
                : "after a retry or a later delivery (no redrive of its queue since it was first seen)";
            var note = $"resolved automatically at {Time(now)} UTC: {all} {ErrorStages.Reached(c.Stage)} now, " +
                       $"{how}; {c.Occurrences:N0} occurrences, last at {Time(Utc(c.LastSeenAt))} UTC";
            var changed = await conn.ExecuteAsync(new CommandDefinition(AutoResolveSql,
                new { c.Id, Now = now, Note = note, c.LastSeenAt }, cancellationToken: ct));
            if (changed == 1) resolved.Add(new AutoResolution(c.Id, note));
        }
        return resolved;
    }

    private static string Plural(int n, string word) => n == 1 ? $"1 {word}" : $"{n:N0} {word}s";

    private static string Ids(IReadOnlyList<long> ids) =>
        ids.Count <= 10 ? string.Join(", ", ids) : string.Join(", ", ids.Take(10)) + $" … and {ids.Count - 10} more";

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

    private static string Time(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    private sealed class CountsRow
    {
        public long Id { get; set; }
        public int Invoices { get; set; }
        public int Accounts { get; set; }
        public int Runs { get; set; }
        public int Keys { get; set; }
    }

    private sealed class SubjectRow
    {
        public string Kind { get; set; } = "";
        public string Subject { get; set; } = "";
        public int Occurrences { get; set; }
        public DateTime FirstSeenAt { get; set; }
        public DateTime LastSeenAt { get; set; }

        public AffectedSubject ToSubject() => new(Kind, Subject, Occurrences, Utc(FirstSeenAt), Utc(LastSeenAt));
    }

    private sealed class Resolvable
    {
        public long Id { get; set; }
        public string Stage { get; set; } = "";
        public string Code { get; set; } = "";
        public DateTime CreatedAt { get; set; }
        public DateTime LastSeenAt { get; set; }
        public int Occurrences { get; set; }
        public int Subjects { get; set; }
    }

    private sealed class RedriveRow
    {
        public Guid Id { get; set; }
        public string Queue { get; set; } = "";
        public long Moved { get; set; }
        public DateTime CompletedAt { get; set; }
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
        public string MessageType { get; set; } = "";
        public string? Stage { get; set; }

        public ErrorRecord ToRecord() => new(Id, Fingerprint, Service, ErrorType, Code, Message,
            ErrorStatuses.TryParse(Status, out var s) ? s : throw new InvalidOperationException($"unknown status '{Status}' in error {Id}"),
            Utc(CreatedAt), Utc(UpdatedAt), Utc(LastSeenAt), OccurrenceCount, IssueLink, Backtrace, Payload, Notes,
            InvoiceId, AccountId, RunId, TraceId, Utc(AlertedAt), Utc(ResolvedAt), MessageType, Stage);

        private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

        private static DateTimeOffset? Utc(DateTime? t) => t is { } v ? Utc(v) : null;
    }

    private sealed class UpsertRow : Row
    {
        public bool Inserted { get; set; }
    }
}
