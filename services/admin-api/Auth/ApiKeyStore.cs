using System.Collections.Concurrent;
using System.Security.Cryptography;
using Dapper;
using Npgsql;

namespace Billing.AdminApi.Auth;

/// <summary>A key of table <c>api_keys</c> (migration 0019); times in UTC.</summary>
public sealed record StoredApiKey(
    Guid Id, string Name, string Role, string CreatedBy, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt, string? RevokedBy);

public sealed class ApiKeyNameTakenException(string name)
    : Exception($"an active key is named '{name}': revoke it first or choose another name")
{
    public string Name { get; } = name;
}

/// <summary>
/// Keys created at run time, stored as SHA-256 hashes. Every request looks its key up here (a unique index on the
/// hash), so a new key works and a revoked key fails from the next request on, in every admin-api process.
/// <c>last_used_at</c> is written at most once a minute per key and process.
/// </summary>
public sealed class ApiKeyStore(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public const string Prefix = "bk_";
    private static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> touched = new();

    private const string Columns = """
        id, name, role, created_by as CreatedBy, created_at as CreatedAt, last_used_at as LastUsedAt,
        revoked_at as RevokedAt, revoked_by as RevokedBy
        """;

    /// <summary>A fresh random key: <c>bk_</c> and 48 hex digits (192 bits).</summary>
    public static string NewSecret() => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public async Task<(StoredApiKey Key, string Secret)> CreateAsync(string name, string role, string createdBy, CancellationToken ct)
    {
        var secret = NewSecret();
        var id = Guid.CreateVersion7();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        try
        {
            var key = await conn.QuerySingleAsync<StoredApiKey>(new CommandDefinition($"""
                insert into api_keys (id, name, role, key_hash, created_by, created_at)
                values (@id, @name, @role, @hash, @createdBy, @now)
                returning {Columns}
                """, new { id, name, role, hash = ApiKeyOptions.Hash(secret), createdBy, now = clock.GetUtcNow().UtcDateTime }, cancellationToken: ct));
            return (key, secret);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "api_keys_active_name")
        {
            throw new ApiKeyNameTakenException(name);
        }
    }

    /// <summary>The active key with this hash, or null.</summary>
    public async Task<StoredApiKey?> FindActiveAsync(byte[] hash, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<StoredApiKey>(new CommandDefinition(
            $"select {Columns} from api_keys where key_hash = @hash and revoked_at is null", new { hash }, cancellationToken: ct));
    }

    /// <summary>Records a use, at most once a minute per key (a key used by a busy script writes no row per request).</summary>
    public async Task TouchAsync(Guid id, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (touched.TryGetValue(id, out var last) && now - last < TouchEvery) return;
        touched[id] = now;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "update api_keys set last_used_at = @now where id = @id and (last_used_at is null or last_used_at < @now)",
            new { id, now = now.UtcDateTime }, cancellationToken: ct));
    }

    /// <summary>Active keys by name, then (when asked) revoked keys, newest revocation first.</summary>
    public async Task<IReadOnlyList<StoredApiKey>> ListAsync(bool withRevoked, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<StoredApiKey>(new CommandDefinition($"""
            select {Columns} from api_keys
            where revoked_at is null or @withRevoked
            order by revoked_at is not null, revoked_at desc, name, id
            """, new { withRevoked }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<StoredApiKey?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<StoredApiKey>(new CommandDefinition(
            $"select {Columns} from api_keys where id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>Revokes an active key; null when there is no such key, the key unchanged when it was revoked before.</summary>
    public async Task<(StoredApiKey? Key, bool Revoked)> RevokeAsync(Guid id, string revokedBy, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var revoked = await conn.QuerySingleOrDefaultAsync<StoredApiKey>(new CommandDefinition($"""
            update api_keys set revoked_at = @now, revoked_by = @revokedBy
            where id = @id and revoked_at is null
            returning {Columns}
            """, new { id, revokedBy, now = clock.GetUtcNow().UtcDateTime }, cancellationToken: ct));
        if (revoked is not null) return (revoked, true);
        return (await GetAsync(id, ct), false);
    }
}
