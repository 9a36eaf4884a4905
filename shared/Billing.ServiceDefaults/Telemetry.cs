using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Billing.ServiceDefaults;

/// <summary>
/// Traces, metrics and logs over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; nothing exported (and
/// nothing printed about it) when it is not. The libraries emit natively, so listening to their sources is enough.
/// </summary>
public static class Telemetry
{
    public static readonly string[] LibrarySources =
        ["MassTransit", "Npgsql", "System.Net.Http", "Microsoft.AspNetCore"];

    public static readonly string[] LibraryMeters =
        ["MassTransit", "Npgsql", "System.Net.Http", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];

    public static bool OtlpEnabled(Microsoft.Extensions.Configuration.IConfiguration config) =>
        !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    internal static void Add(IHostApplicationBuilder builder, ServiceInfo service)
    {
        var otlp = OtlpEnabled(builder.Configuration);
        var resource = ResourceBuilder.CreateDefault()
            .AddService(serviceName: service.Name, serviceNamespace: "billing", serviceVersion: ServiceInfo.Version);

        if (otlp)
        {
            builder.Logging.AddOpenTelemetry(o =>
            {
                o.SetResourceBuilder(resource);
                o.IncludeFormattedMessage = true;
                o.IncludeScopes = true;
                o.AddOtlpExporter();
            });
        }

        builder.Services.AddSingleton(sp =>
        {
            var tracing = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(resource)
                .AddSource(LibrarySources)
                .AddSource(service.SourceName, "Billing.*");
            var metrics = Sdk.CreateMeterProviderBuilder()
                .SetResourceBuilder(resource)
                .AddMeter(LibraryMeters)
                .AddMeter(service.SourceName, "Billing.*");
            if (otlp)
            {
                tracing.AddOtlpExporter();
                metrics.AddOtlpExporter();
            }
            var extensions = sp.GetServices<ITelemetryExtension>().ToList();
            // Nobody receives spans without an exporter: activities still exist (so trace ids are stored and
            // propagated across services) but record no data, which keeps the per-message cost of tracing small.
            if (!otlp && extensions.Count == 0) tracing.SetSampler(new AlwaysOffSampler());
            foreach (var extra in extensions)
                extra.Configure(tracing, metrics);
            return new TelemetryProviders(tracing.Build(), metrics.Build());
        });
        builder.Services.AddHostedService<TelemetryLifetime>();
    }
}

/// <summary>Adds exporters or processors (for example an in-memory exporter in tests) to the shared providers.</summary>
public interface ITelemetryExtension
{
    void Configure(TracerProviderBuilder tracing, MeterProviderBuilder metrics);
}

public sealed class TelemetryProviders(TracerProvider? tracer, MeterProvider? meter) : IDisposable
{
    public TracerProvider? Tracer { get; } = tracer;
    public MeterProvider? Meter { get; } = meter;

    public void Dispose()
    {
        // Dispose flushes what is buffered, so the last spans of a stopping service are not lost.
        Tracer?.Dispose();
        Meter?.Dispose();
    }
}

/// <summary>Creates the providers at start (listeners must exist before the first activity) and disposes them at stop.</summary>
internal sealed class TelemetryLifetime(TelemetryProviders providers) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;

    public Task StopAsync(CancellationToken ct)
    {
        providers.Dispose();
        return Task.CompletedTask;
    }
}
