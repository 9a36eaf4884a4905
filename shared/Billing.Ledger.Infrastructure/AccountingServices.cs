using Billing.Ledger;
using Billing.Stripe;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Billing.Ledger.Infrastructure;

/// <summary>The process's Stripe client, or null when <c>Stripe__ApiKey</c> is not set.</summary>
public sealed record StripeConnection(StripeClient? Client);

public static class AccountingServices
{
    /// <summary>
    /// Ledger stores, the connector (<c>Accounting__ConnectorDirectory</c>) and reconciliation, with a rate-limited
    /// Stripe client when <c>Stripe__ApiKey</c> is set. Needs the <see cref="NpgsqlDataSource"/> and <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddAccounting(this IServiceCollection services)
    {
        services.AddSingleton<LedgerStore>();
        services.AddSingleton<InvoiceSyncer>();
        services.AddSingleton<DocumentPoster>();
        services.AddSingleton<CorrectionPoster>();
        services.AddSingleton<StripeEventStore>();
        // A bad Stripe__RequestsPerSecond stops the service at start, Stripe on or off.
        services.AddOptions<StripeOptions>()
            .Configure<IConfiguration>((o, config) => o.RequestsPerSecond = StripeSettings.RequestsPerSecond(config))
            .Validate(o => o.RequestsPerSecond is >= 1 and <= 10_000, $"Stripe__RequestsPerSecond {StripeOptions.RequestsPerSecondRule}")
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            // One client per process, taking its requests from the deployment's budget in PostgreSQL.
            var options = StripeSettings.ClientOptions(sp.GetRequiredService<IConfiguration>());
            if (options is null) return new StripeConnection(null);
            var time = sp.GetRequiredService<TimeProvider>();
            return new StripeConnection(new StripeClient(options, time,
                new StripeRequestBudget(sp.GetRequiredService<NpgsqlDataSource>(), options.RequestsPerSecond, time)));
        });
        services.AddSingleton(sp => new StripeWebhookTranslator(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<StripeConnection>().Client));
        services.AddSingleton(sp =>
        {
            var directory = sp.GetRequiredService<IConfiguration>()["Accounting:ConnectorDirectory"];
            return new ConnectorGate(string.IsNullOrWhiteSpace(directory) ? null : new FileJournalConnector(directory));
        });
        services.AddSingleton(sp => new ReconcileService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<StripeConnection>().Client));
        return services;
    }
}
