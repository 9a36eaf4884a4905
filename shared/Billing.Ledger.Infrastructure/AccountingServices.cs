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
        services.AddSingleton(sp =>
        {
            // One client per process: it owns the rate limiter every call shares.
            var options = StripeSettings.ClientOptions(sp.GetRequiredService<IConfiguration>());
            return new StripeConnection(options is null ? null : new StripeClient(options, sp.GetRequiredService<TimeProvider>()));
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
