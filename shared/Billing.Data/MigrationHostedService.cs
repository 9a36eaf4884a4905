using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Billing.Data;

internal sealed class MigrationHostedService(
    NpgsqlDataSource dataSource, IOptions<PostgresOptions> options, ILogger<MigrationRunner> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        if (!options.Value.Migrate) return;
        await new MigrationRunner(dataSource, new EmbeddedMigrations(), log).ApplyAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
