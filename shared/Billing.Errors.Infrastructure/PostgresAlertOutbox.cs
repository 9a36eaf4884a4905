using System.Collections.Concurrent;
using System.Text.Json;
using Billing.Errors;
using Dapper;
using Npgsql;

namespace Billing.Errors.Infrastructure;

/// <summary><c>chat_alert_outbox</c> on PostgreSQL. Fetching claims the due rows (FOR UPDATE SKIP LOCKED) by
/// moving their next attempt a lease into the future, so several dispatchers never post one message twice; a
/// dispatcher that dies mid-batch leaves its rows to be picked up once the lease runs out.</summary>
public sealed class PostgresAlertOutbox(NpgsqlDataSource dataSource, TimeProvider time, TimeSpan? lease = null) : IAlertOutbox
{
    private const string InsertSql = """
        insert into chat_alert_outbox (kind, payload, created_at, next_attempt_at, dedupe_key)
        values (@Kind, @Payload::jsonb, @Now, @Now, @Key)
        on conflict (dedupe_key) where dedupe_key is not null do nothing
        returning id
        """;

    private const string ClaimSql = """
        update chat_alert_outbox o set next_attempt_at = @LeaseUntil
        from (
            select id from chat_alert_outbox
            where sent_at is null and next_attempt_at <= @Now
            order by next_attempt_at, id
            limit @Limit
            for update skip locked
        ) due
        where o.id = due.id
        returning o.id, o.kind, o.payload::text as payload, o.created_at, o.attempts, o.next_attempt_at, o.sent_at, o.last_error
        """;

    private const string SentSql = "update chat_alert_outbox set sent_at = @SentAt, attempts = attempts + 1, last_error = null where id = @Id";

    private const string FailedSql = """
        update chat_alert_outbox set attempts = attempts + 1, last_error = @Error, next_attempt_at = @NextAttemptAt
        where id = @Id
        """;

    private const string ReleaseSql = """
        update chat_alert_outbox set next_attempt_at = @At where id = any(@Ids) and sent_at is null
        """;

    private readonly TimeSpan _lease = lease ?? TimeSpan.FromMinutes(2);

    // Rows this instance claimed and has not marked yet: released after a failed pass so they wait for the
    // same backoff as the message that failed instead of the whole lease.
    private readonly ConcurrentDictionary<long, byte> _claimed = new();

    public async Task<long> EnqueueAsync(string kind, string text, CancellationToken ct = default) =>
        await EnqueueCoreAsync(kind, text, null, ct) ?? throw new InvalidOperationException("outbox insert returned no id");

    /// <summary>Stores a message that must be posted once only; null when one with the same key exists.</summary>
    public Task<long?> EnqueueOnceAsync(string kind, string text, string dedupeKey, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dedupeKey);
        return EnqueueCoreAsync(kind, text, dedupeKey, ct);
    }

    private async Task<long?> EnqueueCoreAsync(string kind, string text, string? key, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(InsertSql, new
        {
            Kind = kind,
            Payload = JsonSerializer.Serialize(new { text }),
            Now = time.GetUtcNow(),
            Key = key,
        }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<OutboxAlert>> FetchDueAsync(DateTimeOffset now, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<Row>(new CommandDefinition(ClaimSql,
            new { Now = now, LeaseUntil = now + _lease, Limit = limit }, cancellationToken: ct))).ToList();
        foreach (var r in rows) _claimed[r.Id] = 0;
        return rows.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).Select(r => r.ToAlert()).ToList();
    }

    public async Task MarkSentAsync(long id, DateTimeOffset sentAt, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(SentSql, new { Id = id, SentAt = sentAt }, cancellationToken: ct));
        _claimed.TryRemove(id, out _);
    }

    public async Task MarkFailedAsync(long id, string error, DateTimeOffset nextAttemptAt, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(FailedSql, new { Id = id, Error = error, NextAttemptAt = nextAttemptAt }, cancellationToken: ct));
        _claimed.TryRemove(id, out _);
    }

    /// <summary>Hands back the rows claimed but not marked, due again at <paramref name="at"/>.</summary>
    public async Task ReleaseClaimsAsync(DateTimeOffset at, CancellationToken ct = default)
    {
        var ids = _claimed.Keys.ToArray();
        if (ids.Length == 0) return;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(ReleaseSql, new { Ids = ids, At = at }, cancellationToken: ct));
        foreach (var id in ids) _claimed.TryRemove(id, out _);
    }

    private sealed class Row
    {
        public long Id { get; set; }
        public string Kind { get; set; } = "";
        public string Payload { get; set; } = "{}";
        public DateTime CreatedAt { get; set; }
        public int Attempts { get; set; }
        public DateTime NextAttemptAt { get; set; }
        public DateTime? SentAt { get; set; }
        public string? LastError { get; set; }

        public OutboxAlert ToAlert() => new(Id, Kind, TextOf(Payload), Utc(CreatedAt), Attempts, Utc(NextAttemptAt),
            SentAt is { } s ? Utc(s) : null, LastError);

        private static string TextOf(string payload)
        {
            using var doc = JsonDocument.Parse(payload);
            return doc.RootElement.TryGetProperty("text", out var t) ? t.GetString() ?? "" : payload;
        }

        private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
    }
}
