using Billing.Data;
using Npgsql;

namespace Billing.Testing;

/// <summary>A fresh PostgreSQL database for one test class, dropped at the end.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string Name { get; }
    public string ConnectionString { get; }
    public NpgsqlDataSource DataSource { get; }

    /// <param name="migrate">Apply the project's migrations (as every service does at start-up).</param>
    public static async Task<TestDatabase> CreateAsync(string prefix, bool migrate = true)
    {
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        var name = $"t_{Sanitise(prefix)}_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(TestServers.PostgresAdmin))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"create database \"{name}\"", admin);
            await cmd.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(TestServers.PostgresAdmin) { Database = name }.ConnectionString;
        var db = new TestDatabase(name, cs);
        if (migrate) await new MigrationRunner(db.DataSource, new DirectoryMigrations(RepoPaths.Migrations)).ApplyAsync();
        return db;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(TestServers.PostgresAdmin);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand($"drop database if exists \"{Name}\" with (force)", admin);
        await cmd.ExecuteNonQueryAsync();
    }

    private static string Sanitise(string s) => new(s.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(16).ToArray());
}
