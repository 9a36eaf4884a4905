using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Billing.ServiceDefaults;

/// <summary>
/// Traces, metrics and logs over OTLP (OpenTelemetry.Extensions.Hosting) when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is
/// set; the exporter reads the other standard <c>OTEL_*</c> settings itself (protocol, headers, intervals). Without an
/// endpoint nothing is collected or exported: the activities that carry the trace context (ours and MassTransit's)
/// are still created, so trace ids are stored and propagated across services at almost no cost.
/// </summary>
public static class Telemetry
{
    public const string EndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ProtocolSetting = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>The per-signal endpoints, full URLs, that override the base one when set.</summary>
    public static readonly string[] SignalEndpointSettings =
        ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"];

    /// <summary>Sources of the libraries that emit spans natively (ASP.NET Core and HttpClient come with their instrumentation).</summary>
    public static readonly string[] LibrarySources = ["MassTransit", "Npgsql"];

    /// <summary>
    /// Library meters exported next to ours. Not MassTransit's nor Npgsql's: they record a dozen measurements per message
    /// and per command (counts, durations, in-flight gauges by message type, endpoint and consumer), which cost CPU in
    /// every service and in the receiver on the hot path, while the run metrics (<c>Billing.Pipeline</c>,
    /// <c>Billing.Queues</c>) and the spans (MassTransit's and Npgsql's, with their durations) already answer what
    /// they would.
    /// </summary>
    public static readonly string[] LibraryMeters = ["Microsoft.AspNetCore.Server.Kestrel"];

    public static bool OtlpEnabled(IConfiguration config) => !string.IsNullOrWhiteSpace(config[EndpointSetting]);

    /// <summary>
    /// What is wrong with the OTLP settings, as the rest of a line naming the setting ("setting X must be …"), or null
    /// when they are usable. Checked before the service starts: the exporter would otherwise fail deep in start-up.
    /// </summary>
    public static string? SettingProblem(IConfiguration config)
    {
        foreach (var name in SignalEndpointSettings.Prepend(EndpointSetting))
        {
            var value = config[name];
            if (string.IsNullOrWhiteSpace(value)) continue;
            if (!IsHttpUrl(value))
                return $"setting {name} must be an absolute http or https URL with a host, such as http://127.0.0.1:4317; got '{value}'";
        }
        var protocol = config[ProtocolSetting];
        if (!string.IsNullOrWhiteSpace(protocol) && protocol.Trim() is not ("grpc" or "http/protobuf"))
            return $"setting {ProtocolSetting} must be grpc or http/protobuf; got '{protocol}'";
        return null;
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0;

    internal static void Add(IHostApplicationBuilder builder, ServiceInfo service)
    {
        // A bad setting ends the start in ServiceRunner with one line; nothing is set up that would fail before it.
        if (!OtlpEnabled(builder.Configuration) || SettingProblem(builder.Configuration) is not null)
        {
            builder.Services.AddHostedService(_ => new PropagationOnly(service.SourceName));
            return;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName: service.Name, serviceNamespace: "billing", serviceVersion: ServiceInfo.Version))
            .WithTracing(tracing => tracing
                // Request spans carry http.route and http.response.status_code; probes would only add noise.
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddSource(LibrarySources)
                .AddSource(service.SourceName, "Billing.*"))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(LibraryMeters)
                .AddMeter(service.SourceName, "Billing.*"))
            .WithLogging(configureBuilder: null, configureOptions: o =>
            {
                o.IncludeFormattedMessage = true;
                // Scopes become attributes: the invoice, account and run ids of the message being handled (BillingIds).
                o.IncludeScopes = true;
            })
            .UseOtlpExporter();
        builder.Services.AddSingleton<BillingIdsInLogs>();
    }

    private static bool IsProbe(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments("/alive");

    /// <summary>
    /// No exporter: listens only to MassTransit's and our sources and asks for context propagation, never for data, so
    /// the activities exist (trace ids are stored and sent on with every message) but record nothing.
    /// </summary>
    private sealed class PropagationOnly(string serviceSource) : IHostedService, IDisposable
    {
        private ActivityListener? listener;

        public Task StartAsync(CancellationToken ct)
        {
            listener ??= new ActivityListener
            {
                ShouldListenTo = source => source.Name == "MassTransit" || source.Name == serviceSource || source.Name.StartsWith("Billing.", StringComparison.Ordinal),
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
            };
            ActivitySource.AddActivityListener(listener);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken ct)
        {
            Dispose();
            return Task.CompletedTask;
        }

        public void Dispose()
        {
            listener?.Dispose();
            listener = null;
        }
    }
}
