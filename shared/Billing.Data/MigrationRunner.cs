using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Billing.Data;

/// <summary>
/// Applies forward-only migrations exactly once. Services starting together serialise on a session advisory
/// lock; each migration and its bookkeeping row commit in one transaction, so a crash never half-applies one.
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource dataSource, IMigrationSource source, ILogger<MigrationRunner>? log = null)
{
    // Any constant works; it only has to be the same for every process sharing the database.
    private const long LockKey = 0x42_494C4C_494E47;

    private const string CreateTable = """
        create table if not exists schema_migrations (
            version     int primary key,
            name        text not null,
            checksum    text not null,
            applied_at  timestamptz not null default now()
        )
        """;
    private const string SelectApplied = "select version, name, checksum from schema_migrations";
    private const string InsertApplied = "insert into schema_migrations (version, name, checksum) values (@Version, @Name, @Checksum)";

    private readonly ILogger log = (ILogger?)log ?? NullLogger.Instance;

    /// <returns>The file names applied by this call (empty when the database was up to date).</returns>
    public async Task<IReadOnlyList<string>> ApplyAsync(CancellationToken ct = default)
    {
        var migrations = source.Load();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("select pg_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: ct));
        try
        {
            await conn.ExecuteAsync(new CommandDefinition(CreateTable, cancellationToken: ct));
            var applied = (await conn.QueryAsync<(int Version, string Name, string Checksum)>(
                new CommandDefinition(SelectApplied, cancellationToken: ct))).ToDictionary(r => r.Version);

            var done = new List<string>();
            foreach (var migration in migrations)
            {
                if (applied.TryGetValue(migration.Version, out var row))
                {
                    if (row.Checksum != migration.Checksum)
                        throw new MigrationException(
                            $"migration {migration.FileName} was changed after it was applied; migrations are forward only: add a new file instead");
                    continue;
                }
                await using var tx = await conn.BeginTransactionAsync(ct);
                await conn.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: tx, cancellationToken: ct));
                await conn.ExecuteAsync(new CommandDefinition(InsertApplied,
                    new { migration.Version, migration.Name, migration.Checksum }, tx, cancellationToken: ct));
                await tx.CommitAsync(ct);
                log.LogInformation("Applied migration {Migration}", migration.FileName);
                done.Add(migration.FileName);
            }
            return done;
        }
        finally
        {
            await conn.ExecuteAsync(new CommandDefinition("select pg_advisory_unlock(@LockKey)", new { LockKey }, cancellationToken: CancellationToken.None));
        }
    }
}
