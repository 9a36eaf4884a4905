using Billing.Data;
using Billing.Testing;
using Dapper;
using Npgsql;

namespace Billing.Foundation.Tests;

public sealed class When_migrations_are_applied : IAsyncLifetime
{
    private TestDatabase db = null!;
    private string dir = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("migr", migrate: false);
        dir = Directory.CreateTempSubdirectory("billing-migrations-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "0001_first.sql"), "create table first_table (id int primary key);");
        await File.WriteAllTextAsync(Path.Combine(dir, "0002_second.sql"), "create table second_table (id int primary key); insert into first_table values (1);");
    }

    public async Task DisposeAsync()
    {
        await db.DisposeAsync();
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Applies_each_once_when_run_twice()
    {
        var runner = new MigrationRunner(db.DataSource, new DirectoryMigrations(dir));
        Assert.Equal(["0001_first.sql", "0002_second.sql"], await runner.ApplyAsync());
        Assert.Empty(await runner.ApplyAsync());

        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("select count(*) from first_table"));
        var rows = (await conn.QueryAsync<(int Version, string Checksum)>("select version, checksum from schema_migrations order by version")).ToList();
        Assert.Equal([1, 2], rows.Select(r => r.Version));
        Assert.All(rows, r => Assert.Equal(64, r.Checksum.Length));
    }

    [Fact]
    public async Task Applies_each_once_when_runners_race()
    {
        // Separate data sources: separate sessions, as separate processes would have.
        var sources = Enumerable.Range(0, 6).Select(_ => NpgsqlDataSource.Create(db.ConnectionString)).ToList();
        var results = await Task.WhenAll(sources.Select(s => new MigrationRunner(s, new DirectoryMigrations(dir)).ApplyAsync()));
        foreach (var s in sources) await s.DisposeAsync();

        Assert.Equal(2, results.Sum(r => r.Count));
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("select count(*) from first_table"));
        Assert.Equal(2, await conn.ExecuteScalarAsync<int>("select count(*) from schema_migrations"));
    }

    [Fact]
    public async Task Refuses_an_applied_migration_whose_file_changed()
    {
        var runner = new MigrationRunner(db.DataSource, new DirectoryMigrations(dir));
        await runner.ApplyAsync();
        await File.AppendAllTextAsync(Path.Combine(dir, "0001_first.sql"), "\nalter table first_table add column name text;");

        var error = await Assert.ThrowsAsync<MigrationException>(() => runner.ApplyAsync());
        Assert.Contains("0001_first.sql", error.Message);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>(
            "select count(*) from information_schema.columns where table_name = 'first_table' and column_name = 'name'"));
    }

    [Fact]
    public async Task Refuses_a_badly_named_file_and_applies_nothing()
    {
        await File.WriteAllTextAsync(Path.Combine(dir, "3_third.sql"), "create table third (id int);");
        var error = Assert.Throws<MigrationException>(() => new DirectoryMigrations(dir).Load());
        Assert.Contains("3_third.sql", error.Message);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("select count(*) from information_schema.tables where table_name = 'first_table'"));
    }

    [Fact]
    public async Task Rolls_back_a_failing_migration_entirely()
    {
        await File.WriteAllTextAsync(Path.Combine(dir, "0003_broken.sql"), "create table third_table (id int); select * from no_such_table;");
        var runner = new MigrationRunner(db.DataSource, new DirectoryMigrations(dir));
        await Assert.ThrowsAsync<PostgresException>(() => runner.ApplyAsync());

        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(2, await conn.ExecuteScalarAsync<int>("select count(*) from schema_migrations"));
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("select count(*) from information_schema.tables where table_name = 'third_table'"));
    }

    [Fact]
    public void Ships_the_repository_migrations_in_the_data_assembly()
    {
        var embedded = new EmbeddedMigrations().Load();
        var files = new DirectoryMigrations(RepoPaths.Migrations).Load();
        Assert.Equal(files.Select(f => (f.FileName, f.Checksum)), embedded.Select(e => (e.FileName, e.Checksum)));
    }
}
