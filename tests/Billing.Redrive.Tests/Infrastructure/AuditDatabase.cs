using Npgsql;

namespace Billing.Redrive.Tests.Infrastructure;

/// <summary>A fresh database per test class with migration 0003 applied, dropped at the end.</summary>
public sealed class AuditDatabase : IAsyncLifetime
{
    private readonly string _name = Servers.UniqueName("redrive_test");

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public RedriveAuditStore Store => new(DataSource);

    public async Task InitializeAsync()
    {
        await using (var admin = NpgsqlDataSource.Create(Servers.Postgres))
            await admin.CreateCommand($"create database {_name}").ExecuteNonQueryAsync();
        DataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(Servers.Postgres) { Database = _name }.ConnectionString);
        await DataSource.CreateCommand(await File.ReadAllTextAsync(MigrationPath())).ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await using var admin = NpgsqlDataSource.Create(Servers.Postgres);
        await admin.CreateCommand($"drop database if exists {_name} with (force)").ExecuteNonQueryAsync();
    }

    private static string MigrationPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "deploy", "db", "migrations", "0003_redrive.sql");
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException("deploy/db/migrations/0003_redrive.sql not found above the test directory.");
    }
}
