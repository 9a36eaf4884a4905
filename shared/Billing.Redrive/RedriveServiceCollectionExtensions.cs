using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Billing.Redrive;

public static class RedriveServiceCollectionExtensions
{
    /// <summary>
    /// Everything the admin API and the redrive service share: <see cref="RedriveOptions"/> built from <c>RabbitMq__*</c>
    /// and <c>Redrive__*</c> (validated at start), the inspectors, the redriver with its audit store, and the job store.
    /// Needs an <see cref="NpgsqlDataSource"/> registered.
    /// </summary>
    public static IServiceCollection AddRedriveCore(this IServiceCollection services)
    {
        services.AddOptions<RedriveSettings>().BindConfiguration(RedriveSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RedriveBrokerSettings>().BindConfiguration(RedriveBrokerSettings.Section)
            .Validate(o => RedriveBrokerSettings.IsValidManagementUrl(o.ManagementUrl), "RabbitMq__ManagementUrl must be an http:// or https:// URL")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RedriveBrokerSettings>>().Value
            .ToOptions(sp.GetRequiredService<IOptions<RedriveSettings>>().Value));
        services.AddSingleton(sp => new DeadLetterQueues(sp.GetRequiredService<RedriveOptions>(), sp.GetService<TimeProvider>()));
        services.AddSingleton(sp => new DeadLetterInspector(sp.GetRequiredService<RedriveOptions>()));
        services.AddSingleton(sp => new RedriveAuditStore(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton(sp => new Redriver(sp.GetRequiredService<RedriveOptions>(), sp.GetRequiredService<RedriveAuditStore>(), sp.GetService<TimeProvider>()));
        services.AddSingleton(sp => new RedriveJobStore(sp.GetRequiredService<NpgsqlDataSource>()));
        return services;
    }
}
