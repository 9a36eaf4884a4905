using System.ComponentModel.DataAnnotations;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Billing.ServiceDefaults;

/// <summary>The bus conventions every service shares (docs/architecture.md, Bus conventions).</summary>
public static class Bus
{
    /// <summary>
    /// MassTransit over RabbitMQ: kebab-case endpoint names, quorum queues, publisher confirms, in-memory retry with
    /// increasing intervals, <see cref="ValidationException"/> never retried, final failures to <c>&lt;queue&gt;_error</c>.
    /// </summary>
    public static IHostApplicationBuilder AddBillingBus(this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator>? configure = null)
    {
        builder.Services.AddOptions<RabbitMqOptions>()
            .BindConfiguration(RabbitMqOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => RabbitMqOptions.IsValidUrl(o.Url), "RabbitMq__Url must be an amqp:// or amqps:// URL with a host")
            .ValidateOnStart();
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });

        builder.Properties[BusAddedKey] = true;
        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            // MassTransit 8.4+ reports anonymous usage to its vendor over the internet after start. A billing system
            // calls no one unasked (and a blocked call logs a warning with a stack trace in every service): off.
            x.ConfigureUsageTelemetryOptions(o => o.Enabled = false);
            configure?.Invoke(x);
            if (builder.Properties.TryGetValue(RegistrationsKey, out var extra))
                foreach (var register in (List<Action<IBusRegistrationConfigurator>>)extra) register(x);
            x.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                var options = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                ApplyEndpointConventions(endpoint, options);
            });
            x.UsingRabbitMq((context, cfg) =>
            {
                var options = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                ConfigureHost(cfg, options);
                // With telemetry exported: the ids of each message on its span and its logs.
                if (context.GetService<BillingIdsInLogs>() is not null) cfg.UseConsumeFilter(typeof(BillingIdsFilter<>), context);
                cfg.ConfigureEndpoints(context);
            });
        });
        // Consuming starts only once the whole process is up (HTTP bound) and stops before anything else on shutdown:
        // a process that fails to start never takes a message, so nothing is dead-lettered by a restart
        // (docs/architecture.md, Start and stop).
        builder.Services.RemoveMassTransitHostedService();
        builder.Services.AddHostedService<ConsumeOnceStarted>();
        return builder;
    }

    private const string RegistrationsKey = "Billing.Bus.Registrations";
    private const string BusAddedKey = "Billing.Bus.Added";

    /// <summary>
    /// Lets a feature's <c>AddXxx()</c> put its consumers on the service's one bus without owning the
    /// <see cref="AddBillingBus"/> call. Must run before <see cref="AddBillingBus"/>, which applies them.
    /// </summary>
    public static IHostApplicationBuilder AddBusRegistrations(this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator> register)
    {
        if (builder.Properties.ContainsKey(BusAddedKey))
            throw new InvalidOperationException("AddBusRegistrations must be called before AddBillingBus");
        if (!builder.Properties.TryGetValue(RegistrationsKey, out var list))
            builder.Properties[RegistrationsKey] = list = new List<Action<IBusRegistrationConfigurator>>();
        ((List<Action<IBusRegistrationConfigurator>>)list).Add(register);
        return builder;
    }

    public static void ConfigureHost(IRabbitMqBusFactoryConfigurator cfg, RabbitMqOptions options)
    {
        var uri = options.ParsedUrl;
        var vhost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        var userInfo = uri.UserInfo.Split(':', 2);
        cfg.Host(uri.Host, (ushort)(uri.IsDefaultPort || uri.Port < 0 ? 5672 : uri.Port), vhost.Length == 0 ? "/" : vhost, h =>
        {
            if (userInfo[0].Length > 0) h.Username(Uri.UnescapeDataString(userInfo[0]));
            if (userInfo.Length > 1) h.Password(Uri.UnescapeDataString(userInfo[1]));
            // A message is acknowledged only after its follow-ups are confirmed by the broker
            // (docs/architecture.md, Delivery).
            h.PublisherConfirmation = true;
            if (uri.Scheme == "amqps") h.UseSsl(s => s.ServerName = uri.Host);
        });
    }

    public static void ApplyEndpointConventions(IReceiveEndpointConfigurator endpoint, RabbitMqOptions options)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SetQuorumQueue();
            rabbit.PrefetchCount = options.Prefetch;
        }
        endpoint.UseMessageRetry(r =>
        {
            r.Incremental(options.RetryLimit, TimeSpan.FromMilliseconds(options.RetryInitialMs),
                TimeSpan.FromMilliseconds(options.RetryIncrementMs));
            // A message that can never succeed is not retried: it goes straight to the error queue with its reason.
            r.Ignore<ValidationException>();
        });
    }
}
