using Billing.Testing;

namespace Billing.Foundation.Tests;

public sealed class When_an_otlp_endpoint_is_configured : IAsyncLifetime
{
    private TestDatabase db = null!;
    private TestVhost vhost = null!;
    private OtlpTraceReceiver collector = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("otlp");
        vhost = await TestVhost.CreateAsync("otlp");
        collector = await OtlpTraceReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await collector.DisposeAsync();
        await vhost.DisposeAsync();
        await db.DisposeAsync();
    }

    [Fact]
    public async Task The_service_exports_its_spans_over_otlp_named_after_itself()
    {
        var env = new Dictionary<string, string?>(collector.ExporterSettings())
        {
            ["Postgres__ConnectionString"] = db.ConnectionString,
            ["RabbitMq__Url"] = vhost.AmqpUrl,
        };
        await using var service = ServiceProcess.Start("mailer", "Billing.Mailer", env);
        await service.WaitHealthyAsync();
        using var http = new HttpClient();
        await http.GetStringAsync($"{service.BaseUrl}/health");

        // The health check queries PostgreSQL: Npgsql's span and the request's span both reach the collector.
        var spans = await Eventually.Until(() => Task.FromResult(collector.Spans.Where(s => s.Service == "mailer").ToList()),
            s => s.Any(x => x.Scope == "Npgsql") && s.Any(x => x.Scope == "Microsoft.AspNetCore"), TimeSpan.FromSeconds(60));
        Assert.All(spans, s => Assert.Equal(32, s.TraceId.Length));
        Assert.Equal(0, await service.StopAsync());
    }
}
