using Billing.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Billing.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Cross-cutting setup for a Billing service: logging, telemetry, health checks and the database.
    /// Add the bus separately with <see cref="Bus.AddBillingBus"/> (it takes the service's consumers).
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        var service = new ServiceInfo(serviceName);
        builder.Services.AddSingleton(service);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });
        // Request logging at Information would repeat every health probe; keep the framework to warnings.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        // A failed start is reported by ServiceRunner as one line naming what to fix; the host's own dump is noise.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        Telemetry.Add(builder, service);
        builder.AddBillingData();
        Health.Add(builder.Services);
        return builder;
    }
}
