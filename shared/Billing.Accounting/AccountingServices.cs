using Billing.Ledger;
using Billing.Stripe;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Billing.Accounting;

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
        services.AddSingleton<StripeWebhookTranslator>();
        services.AddSingleton(sp =>
        {
            var directory = sp.GetRequiredService<IConfiguration>()["Accounting:ConnectorDirectory"];
            return new ConnectorGate(string.IsNullOrWhiteSpace(directory) ? null : new FileJournalConnector(directory));
        });
        services.AddSingleton(sp =>
        {
            // One client per process: it owns the rate limiter every call shares.
            var options = StripeSettings.ClientOptions(sp.GetRequiredService<IConfiguration>());
            var stripe = options is null ? null
                : new StripeClient(new HttpClient { Timeout = TimeSpan.FromSeconds(30) }, options, sp.GetRequiredService<TimeProvider>());
            return new ReconcileService(sp.GetRequiredService<NpgsqlDataSource>(), stripe);
        });
        return services;
    }
}
