using Billing.ServiceDefaults;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Billing.Testing;

/// <summary>
/// A service host built with the same defaults as the real services (bus conventions, telemetry, data), inside
/// the test process, for tests that need their own consumers.
/// </summary>
public static class InProcessService
{
    public static async Task<WebApplication> StartAsync(string serviceName, TestDatabase db, TestVhost vhost,
        Action<IBusRegistrationConfigurator> bus, Action<WebApplicationBuilder>? configure = null,
        IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = serviceName, EnvironmentName = "Test" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = db.ConnectionString,
            ["RabbitMq:Url"] = vhost.AmqpUrl,
            ["RabbitMq:RetryInitialMs"] = "20",
            ["RabbitMq:RetryIncrementMs"] = "20",
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults(serviceName);
        builder.AddBillingBus(bus);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        return app;
    }
}
