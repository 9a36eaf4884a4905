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

    private static System.Diagnostics.ActivityListener PropagationOnly(string serviceSource)
    {
        var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "MassTransit" || source.Name == serviceSource || source.Name.StartsWith("Billing.", StringComparison.Ordinal),
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.PropagationData,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        return listener;
    }

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
            var extensions = sp.GetServices<ITelemetryExtension>().ToList();
            if (!otlp && extensions.Count == 0)
            {
                // Nobody receives spans or metrics: collect none, but keep creating the activities that carry the
                // trace context (ours and MassTransit's), so trace ids are still stored and propagated across services.
                return new TelemetryProviders(null, null, PropagationOnly(service.SourceName));
            }
            var metrics = Sdk.CreateMeterProviderBuilder()
                .SetResourceBuilder(resource)
                .AddMeter(LibraryMeters)
                .AddMeter(service.SourceName, "Billing.*");
            if (otlp) metrics.AddOtlpExporter();
            var tracing = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(resource)
                .AddSource(LibrarySources)
                .AddSource(service.SourceName, "Billing.*");
            if (otlp) tracing.AddOtlpExporter();
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

public sealed class TelemetryProviders(TracerProvider? tracer, MeterProvider? meter, IDisposable? listener = null) : IDisposable
{
    public TracerProvider? Tracer { get; } = tracer;
    public MeterProvider? Meter { get; } = meter;

    public void Dispose()
    {
        // Dispose flushes what is buffered, so the last spans of a stopping service are not lost.
        Tracer?.Dispose();
        Meter?.Dispose();
        listener?.Dispose();
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
