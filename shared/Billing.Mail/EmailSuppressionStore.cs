using Dapper;
using Npgsql;

namespace Billing.Mail;

public sealed record EmailSuppression(string Email, string Reason, string? Note, DateTimeOffset CreatedAt);

/// <summary>Addresses invoices are never emailed to. Emails are stored lower-cased and compared that way.</summary>
public sealed class EmailSuppressionStore(NpgsqlDataSource dataSource)
{
    public static readonly string[] Reasons = ["unsubscribed", "hard_bounce", "manual"];

    private const string ListSql = """
        select email, reason, note, created_at from email_suppressions order by email limit @limit offset @offset
        """;

    private const string UpsertSql = """
        insert into email_suppressions (email, reason, note) values (@email, @reason, @note)
        on conflict (email) do update set reason = excluded.reason, note = excluded.note
        returning email, reason, note, created_at, (xmax = 0) as inserted
        """;

    private const string DeleteSql = "delete from email_suppressions where email = @email";

    private const string FindSql = "select email, reason, note, created_at from email_suppressions where email = @email";

    public Task<IReadOnlyList<EmailSuppression>> ListAsync(int limit, CancellationToken ct) => ListAsync(limit, 0, ct);

    /// <summary>By address, skipping the first <paramref name="offset"/>.</summary>
    public async Task<IReadOnlyList<EmailSuppression>> ListAsync(int limit, int offset, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(ListSql, new { limit, offset }, cancellationToken: ct));
        return rows.Select(r => r.ToSuppression()).ToList();
    }

    public async Task<int> CountAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition("select count(*)::int from email_suppressions", cancellationToken: ct));
    }

    /// <summary>Adds the address, or updates reason and note when it is already listed; tells which.</summary>
    public async Task<(EmailSuppression Suppression, bool Created)> AddAsync(string email, string reason, string? note, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleAsync<Row>(new CommandDefinition(UpsertSql,
            new { email = EmailAddresses.Normalize(email), reason, note }, cancellationToken: ct));
        return (row.ToSuppression(), row.Inserted);
    }

    public async Task<bool> RemoveAsync(string email, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(DeleteSql, new { email = EmailAddresses.Normalize(email) }, cancellationToken: ct)) > 0;
    }

    public async Task<EmailSuppression?> FindAsync(string email, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(FindSql,
            new { email = EmailAddresses.Normalize(email) }, cancellationToken: ct));
        return row?.ToSuppression();
    }

    private sealed class Row
    {
        public string Email { get; init; } = "";
        public string Reason { get; init; } = "";
        public string? Note { get; init; }
        public DateTime CreatedAt { get; init; }
        public bool Inserted { get; init; }

        public EmailSuppression ToSuppression() => new(Email, Reason, Note, new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc)));
    }
}
