using Billing.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration.Memory;
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
        // Defaults that any setting (Logging__LogLevel__...) overrides: they sit first among the sources.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                // Request logging at Information would repeat every health probe.
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
                // A failed start is reported by ServiceRunner as one line naming what to fix; the host's dump is noise.
                ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = "None",
            },
        });
        // Validated by every service, so a bad term stops each of them rather than only the one that stores it.
        builder.Services.AddOptions<InvoicingOptions>().BindConfiguration(InvoicingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        Telemetry.Add(builder, service);
        builder.AddBillingData();
        Health.Add(builder.Services);
        return builder;
    }
}
