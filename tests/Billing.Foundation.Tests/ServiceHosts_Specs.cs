using Billing.Testing;
using Dapper;

namespace Billing.Foundation.Tests;

public sealed class When_every_service_starts_together : IAsyncLifetime
{
    private TestDatabase db = null!;
    private TestVhost vhost = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("hosts", migrate: false);
        vhost = await TestVhost.CreateAsync("hosts");
    }

    public async Task DisposeAsync()
    {
        await vhost.DisposeAsync();
        await db.DisposeAsync();
    }

    [Fact]
    public async Task Each_reports_healthy_migrations_apply_once_and_SIGTERM_stops_it_cleanly()
    {
        var env = new Dictionary<string, string?>
        {
            ["Postgres__ConnectionString"] = db.ConnectionString,
            ["RabbitMq__Url"] = vhost.AmqpUrl,
        };
        // Started at the same moment against an empty database: they race for the migration lock.
        var processes = Services.All.Select(s => ServiceProcess.Start(s.Folder, s.Assembly, env)).ToList();
        try
        {
            await Task.WhenAll(processes.Select(p => p.WaitHealthyAsync()));
            using var http = new HttpClient();
            foreach (var p in processes)
            {
                var health = await http.GetStringAsync($"{p.BaseUrl}/health");
                Assert.Contains("\"status\":\"healthy\"", health);
                Assert.Contains("\"rabbitmq\":{\"status\":\"healthy\"", health);
                Assert.Contains("\"postgres\":{\"status\":\"healthy\"", health);
            }
            var exitCodes = await Task.WhenAll(processes.Select(p => p.StopAsync()));
            Assert.All(exitCodes, code => Assert.Equal(0, code));
        }
        finally
        {
            foreach (var p in processes) await p.DisposeAsync();
        }

        var files = Directory.GetFiles(RepoPaths.Migrations, "*.sql").Length;
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(files, await conn.ExecuteScalarAsync<int>("select count(*) from schema_migrations"));
        var applied = processes.Sum(p => p.Output.Split('\n').Count(l => l.Contains("Applied migration")));
        Assert.Equal(files, applied);
    }
}

public sealed class When_a_setting_is_missing_or_malformed
{
    private static readonly Dictionary<string, string?> Good = new()
    {
        ["Postgres__ConnectionString"] = TestServers.PostgresAdmin,
        ["RabbitMq__Url"] = TestServers.RabbitUrl,
    };

    public static TheoryData<string, string, string, string?, string> Cases() => new()
    {
        { "mailer", "Billing.Mailer", "RabbitMq__Url", null, "setting RabbitMq__Url is required" },
        { "invoice-generator", "Billing.InvoiceGenerator", "RabbitMq__Url", "http://127.0.0.1:5673", "setting RabbitMq__Url must be an amqp://" },
        { "pdf-renderer", "Billing.PdfRenderer", "Postgres__ConnectionString", null, "setting Postgres__ConnectionString is required" },
        { "accounting-sync", "Billing.AccountingSync", "Postgres__ConnectionString", "Hots=x;;Port", "setting Postgres__ConnectionString is not a valid connection string" },
        { "redrive", "Billing.Redrive.Service", "RabbitMq__Prefetch", "lots", "setting RabbitMq__Prefetch has value 'lots'" },
        { "mailer", "Billing.Mailer", "RabbitMq__RetryLimit", "-1", "setting RabbitMq__RetryLimit is invalid" },
        { "admin-api", "Billing.AdminApi", "Auth__ApiKeys", "ops:admin:abc", "setting Auth__ApiKeys is malformed" },
        { "invoice-generator", "Billing.InvoiceGenerator", "OTEL_EXPORTER_OTLP_ENDPOINT", "127.0.0.1:4317", "setting OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http or https URL" },
        { "pdf-renderer", "Billing.PdfRenderer", "OTEL_EXPORTER_OTLP_ENDPOINT", "http//127.0.0.1:4317", "setting OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http or https URL" },
        { "mailer", "Billing.Mailer", "OTEL_EXPORTER_OTLP_ENDPOINT", "grpc://127.0.0.1:4317", "setting OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http or https URL" },
        { "accounting-sync", "Billing.AccountingSync", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "not a url", "setting OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be" },
        { "redrive", "Billing.Redrive.Service", "OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", "setting OTEL_EXPORTER_OTLP_PROTOCOL must be grpc or http/protobuf" },
        { "admin-api", "Billing.AdminApi", "BILLING_TRACE_UI_URL", "http://127.0.0.1:18888/traces/detail/", "setting BILLING_TRACE_UI_URL 'http://127.0.0.1:18888/traces/detail/' has no {trace_id} placeholder" },
        { "redrive", "Billing.Redrive.Service", "BILLING_TRACE_UI_URL", "ui.test/{trace_id}", "setting BILLING_TRACE_UI_URL 'ui.test/{trace_id}' is not an absolute http or https URL" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Exits_non_zero_with_one_line_naming_the_setting(string folder, string assembly, string setting, string? value, string expected)
    {
        var env = new Dictionary<string, string?>(Good) { [setting] = value };
        await using var service = ServiceProcess.Start(folder, assembly, env);
        var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        var lines = service.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.Contains(expected, line);
        Assert.StartsWith(folder + ": ", line);
    }
}
