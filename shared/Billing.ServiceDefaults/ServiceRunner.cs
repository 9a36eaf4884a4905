using Billing.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Billing.ServiceDefaults;

public static class ServiceRunner
{
    /// <summary>
    /// Builds the service, validates every setting before anything connects, maps its endpoints and runs until
    /// SIGTERM/Ctrl+C. A bad setting or an unreachable dependency at start ends the process with exit code 2 (3 for
    /// a dependency) and one line saying what to fix, instead of a stack trace.
    /// </summary>
    public static async Task<int> RunServiceAsync(this WebApplicationBuilder builder, Action<WebApplication> map)
    {
        var name = builder.Services.Where(d => !d.IsKeyedService && d.ServiceType == typeof(ServiceInfo))
                       .Select(d => d.ImplementationInstance).OfType<ServiceInfo>().FirstOrDefault()?.Name
                   ?? builder.Environment.ApplicationName;
        // Checked first: the exporter is built with the host and would fail there without saying which setting is wrong.
        if (Telemetry.SettingProblem(builder.Configuration) is { } telemetry)
        {
            await Console.Error.WriteLineAsync($"{name}: {telemetry}");
            return 2;
        }
        try
        {
            await using var app = builder.Build();
            name = app.Services.GetRequiredService<ServiceInfo>().Name;
            app.Services.GetService<IStartupValidator>()?.Validate();
            map(app);
            await app.RunAsync();
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"{name}: {Settings.Describe(ex)}");
            return 2;
        }
        catch (InvalidOperationException ex) when (Settings.TryDescribeBindingFailure(ex, out var line))
        {
            await Console.Error.WriteLineAsync($"{name}: {line}");
            return 2;
        }
        catch (MigrationException ex)
        {
            await Console.Error.WriteLineAsync($"{name}: database migration refused: {ex.Message}");
            return 2;
        }
        catch (IOException ex) when (ex.Message.StartsWith("Failed to bind", StringComparison.Ordinal))
        {
            // Kestrel: "Failed to bind to address http://127.0.0.1:5080: address already in use."
            await Console.Error.WriteLineAsync($"{name}: cannot start: {ex.Message}");
            return 3;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException
                                       or MassTransit.RabbitMqConnectionException)
        {
            await Console.Error.WriteLineAsync($"{name}: cannot start: {ex.GetBaseException().Message}");
            return 3;
        }
    }
}
