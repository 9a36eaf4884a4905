using Billing.Errors.Infrastructure;
using Billing.Errors;
using Billing.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Billing.Redrive.Service;

public static class ErrorLogExtensions
{
    /// <summary>
    /// The revenue-impacting error log: records the final fault of every message in every service, ErrorReported
    /// events and stalled runs in error_monitorings; posts grouped chat alerts, the daily and weekly summaries and
    /// the run reports through the outbox. Call before <see cref="Bus.AddBillingBus"/>.
    /// </summary>
    public static WebApplicationBuilder AddErrorLog(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        AddValidated<ErrorLogOptions>(builder, ErrorLogOptions.Section, o => o.Validate());
        AddValidated<ChatOptions>(builder, ChatOptions.Section, o => o.Validate());
        AddValidated<DispatchOptions>(builder, ChatOptions.Section, o => o.Validate());
        AddValidated<AlertOptions>(builder, "Alerts", o => o.Validate());
        // The one trace-link setting (BILLING_TRACE_UI_URL, else the former Alerts__/Chat__TraceUiUrl); the aggregator keeps
        // it with its other options.
        TraceLinkSettings.Add(services);
        // Read here without the check (a malformed setting is reported once, by TraceLinkSettings, as one line at start).
        services.AddOptions<AlertOptions>().PostConfigure<IConfiguration>((o, config) =>
        {
            try
            {
                o.TraceUiUrl = TraceLinkSettings.Read(config).Template ?? o.TraceUiUrl;
            }
            catch (FormatException) { }
        });

        services.AddHttpClient(AlertLoop.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddSingleton<PostgresErrorStore>();
        services.AddSingleton<IErrorStore>(sp => sp.GetRequiredService<PostgresErrorStore>());
        services.AddSingleton(sp => new PostgresAlertOutbox(sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IAlertOutbox>(sp => sp.GetRequiredService<PostgresAlertOutbox>());
        services.AddSingleton(sp => new AlertAggregator(sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<AlertOptions>>().Value, sp.GetRequiredService<IOptions<ErrorLogOptions>>().Value.Noise));
        services.AddSingleton<ErrorRecorder>();
        services.AddSingleton<SummaryPoster>();
        services.AddHostedService<AlertLoop>();
        services.AddHostedService<SummaryLoop>();
        services.AddHostedService<StalledRunWatcher>();
        services.AddHostedService<ErrorAutoResolver>();
        builder.AddBusRegistrations(bus => bus.AddErrorLogConsumers());
        return builder;
    }

    private static void AddValidated<T>(WebApplicationBuilder builder, string section, Func<T, IReadOnlyList<string>> validate) where T : class
    {
        builder.Services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<T>>(new ListValidator<T>(validate));
    }

    private sealed class ListValidator<T>(Func<T, IReadOnlyList<string>> validate) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            validate(options) is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
