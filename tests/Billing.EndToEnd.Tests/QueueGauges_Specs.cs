using Billing.EndToEnd.Tests.Infrastructure;

namespace Billing.EndToEnd.Tests;

/// <summary>The redrive service with a management API address where nothing listens.</summary>
public sealed class When_the_management_API_is_unreachable : IAsyncLifetime
{
    private Pipeline pipeline = null!;
    private OtlpTraceReceiver otlp = null!;
    private ServiceProcess redrive = null!;

    public async Task InitializeAsync()
    {
        otlp = await OtlpTraceReceiver.StartAsync();
        pipeline = await Pipeline.CreateAsync("e2enomgmt");
        foreach (var (k, v) in otlp.ExporterSettings()) pipeline.Environment[k] = v;
        redrive = pipeline.Start("redrive", new Dictionary<string, string?>
        {
            ["RabbitMq__ManagementUrl"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}/",
        });
        await redrive.WaitHealthyAsync(TimeSpan.FromMinutes(4));
    }

    public async Task DisposeAsync()
    {
        await pipeline.DisposeAsync();
        await otlp.DisposeAsync();
    }

    [Fact]
    public async Task Does_report_no_depths_stays_healthy_and_stops_cleanly()
    {
        using var http = new HttpClient { BaseAddress = new Uri(redrive.BaseUrl), Timeout = TimeSpan.FromMinutes(1) };
        // Several exports, each observing the gauges (and so trying the management API), while /health keeps answering.
        var exportsBefore = ExportTimes();
        for (var i = 0; i < 20 && ExportTimes() < exportsBefore + 4; i++)
        {
            var health = await http.GetAsync("/health");
            Assert.True(health.IsSuccessStatusCode, $"/health {(int)health.StatusCode}: {await health.Content.ReadAsStringAsync()}\n{redrive.Output}");
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        await Eventually.UntilValue(ExportTimes, n => n >= exportsBefore + 4, TimeSpan.FromMinutes(2));

        Assert.False(redrive.HasExited, redrive.Output);
        Assert.Empty(otlp.Latest("billing.queue.depth"));
        Assert.Empty(otlp.Latest("billing.dlq.depth"));
        Assert.Contains("the management API", redrive.Output);
        Assert.Contains("does not answer", redrive.Output);
        Assert.True((await http.GetAsync("/alive")).IsSuccessStatusCode);
        Assert.Equal(0, await redrive.StopAsync());
    }

    /// <summary>Exports of the redrive service so far: each carries its request-duration histogram with a new time.</summary>
    private int ExportTimes() => otlp.MetricPoints.Where(p => p.Service == "redrive" && p.Name == "http.server.request.duration").Select(p => p.TimeUnixNano).Distinct().Count();
}
