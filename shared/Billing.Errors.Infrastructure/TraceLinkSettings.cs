using Billing.Errors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Billing.Errors.Infrastructure;

/// <summary>
/// <see cref="TraceLinks"/> from the service's configuration (BILLING_TRACE_UI_URL, else the former settings), checked
/// at start: a malformed template stops the service with one line naming the setting.
/// </summary>
public sealed class TraceLinkSettings
{
    public TraceLinks Links { get; set; } = TraceLinks.None;
    public string? Problem { get; set; }

    /// <summary>The links of the configuration; <see cref="FormatException"/> naming the setting when it is malformed.</summary>
    public static TraceLinks Read(IConfiguration config) => TraceLinks.From(name => config[name.Replace("__", ":", StringComparison.Ordinal)]);

    /// <summary>Registers <see cref="TraceLinks"/> (a singleton) and its check at start.</summary>
    public static void Add(IServiceCollection services)
    {
        services.AddOptions<TraceLinkSettings>()
            .Configure<IConfiguration>((o, config) =>
            {
                try
                {
                    o.Links = Read(config);
                }
                catch (FormatException e)
                {
                    o.Problem = e.Message;
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TraceLinkSettings>, Validator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<TraceLinkSettings>>().Value.Links);
    }

    private sealed class Validator : IValidateOptions<TraceLinkSettings>
    {
        public ValidateOptionsResult Validate(string? name, TraceLinkSettings options) =>
            options.Problem is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
