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

        // Its start (the migration check) queries PostgreSQL: Npgsql's spans reach the collector. Probes are not traced
        // (nor, being parented to an unsampled request, the queries of the health check).
        var spans = await Eventually.Until(() => Task.FromResult(collector.Spans.Where(s => s.Service == "mailer").ToList()),
            s => s.Any(x => x.Scope == "Npgsql"), TimeSpan.FromSeconds(60));
        Assert.All(spans, s => Assert.Equal(32, s.TraceId.Length));
        Assert.DoesNotContain(spans, s => s.Attribute("url.path") is "/health" or "/alive");
        Assert.Equal(0, await service.StopAsync());
    }

    [Fact]
    public async Task Request_spans_carry_route_and_status_code_and_runtime_metrics_and_logs_are_exported()
    {
        const string key = "bk_otlp_7d1e2f3a4b5c6d7e8f9a0b1c";
        await using var service = AdminApiProcess.Start(db, vhost, ApiKeys.Entry("otlp", "viewer", key), collector.ExporterSettings());
        await service.WaitHealthyAsync();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        var missing = Guid.NewGuid();
        var response = await http.GetAsync($"{service.BaseUrl}/api/runs/{missing}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);

        var request = await Eventually.Until(
            () => Task.FromResult(collector.Spans.FirstOrDefault(s => s.Service == "admin-api" && s.Attribute("url.path") == $"/api/runs/{missing}")),
            s => s is not null, TimeSpan.FromSeconds(60));
        Assert.Equal("/api/runs/{id:guid}", request!.Attribute("http.route"));
        Assert.Equal("404", request.Attribute("http.response.status_code"));
        Assert.Equal("GET /api/runs/{id:guid}", request.Name);

        // Runtime metrics (GC, thread pool, CPU) next to ours, and the service's logs.
        await Eventually.UntilValue(() => collector.MetricPoints.Where(p => p.Service == "admin-api" && p.Name.StartsWith("dotnet.", StringComparison.Ordinal)).ToList(),
            p => p.Any(x => x.Name == "dotnet.gc.collections" || x.Name == "dotnet.thread_pool.thread.count"), TimeSpan.FromSeconds(60));
        await Eventually.UntilValue(() => collector.Logs.Where(l => l.Service == "admin-api").ToList(), l => l.Count > 0, TimeSpan.FromSeconds(60));
        Assert.Equal(0, await service.StopAsync());
    }
}
