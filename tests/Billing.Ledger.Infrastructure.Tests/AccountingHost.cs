using System.Net.Http.Headers;
using System.Text;
using Billing.Testing;
using Billing.Testing.FakeStripe;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Billing.Ledger.Infrastructure.Tests;

/// <summary>
/// The real admin-api and accounting-sync processes on a fresh database and vhost, a fake Stripe, and an in-process
/// probe that publishes like any service and captures the follow-ups.
/// </summary>
public sealed class AccountingHost : IAsyncDisposable
{
    public const string OperatorKey = "bk_operator_accounting_5e6f7a8b9c0d";
    public const string OldWebhookSecret = "whsec_rotated_out_3f2e1d0c";

    public TestDatabase Db { get; private set; } = null!;
    public TestVhost Vhost { get; private set; } = null!;
    public FakeStripeServer Stripe { get; private set; } = null!;
    public ServiceProcess Api { get; private set; } = null!;
    public ServiceProcess? Sync { get; private set; }
    public WebApplication Probe { get; private set; } = null!;
    public Captured Captured { get; } = new();
    public string ConnectorDirectory { get; } = Path.Combine(Path.GetTempPath(), "billing-connector-" + Guid.NewGuid().ToString("N"));

    public NpgsqlDataSource Data => Db.DataSource;
    public IBus Bus => Probe.Services.GetRequiredService<IBus>();

    public static async Task<AccountingHost> StartAsync(string prefix, bool withSync, bool stripeApi)
    {
        var host = new AccountingHost();
        host.Db = await TestDatabase.CreateAsync(prefix);
        host.Vhost = await TestVhost.CreateAsync(prefix);
        host.Stripe = await FakeStripeServer.StartNewAsync();
        host.Probe = await InProcessService.StartAsync("accounting-probe", host.Db, host.Vhost,
            bus => bus.AddConsumer<AccountingProbeConsumer>(), b => b.Services.AddSingleton(host.Captured));
        host.Api = ServiceProcess.Start("admin-api", "Billing.AdminApi", host.ApiSettings(stripeApi));
        if (withSync)
            host.Sync = host.StartSync();
        await host.Api.WaitHealthyAsync();
        if (host.Sync is not null)
            await host.Sync.WaitHealthyAsync();
        return host;
    }

    public Dictionary<string, string?> CommonSettings(bool stripeApi)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Postgres__ConnectionString"] = Db.ConnectionString,
            ["RabbitMq__Url"] = Vhost.AmqpUrl,
            ["RabbitMq__RetryInitialMs"] = "50",
            ["RabbitMq__RetryIncrementMs"] = "200",
            ["RabbitMq__RetryLimit"] = "5",
        };
        if (stripeApi)
        {
            settings["Stripe__ApiKey"] = Stripe.ApiKey;
            settings["Stripe__BaseUrl"] = Stripe.BaseUrl;
            settings["Stripe__RequestsPerSecond"] = "200";
        }
        return settings;
    }

    Dictionary<string, string?> ApiSettings(bool stripeApi)
    {
        var settings = CommonSettings(stripeApi);
        settings["Auth__ApiKeys"] = ApiKeys.Setting(OperatorKey);
        // Rotation: events signed with the old secret are still accepted while Stripe rolls it.
        settings["Stripe__WebhookSecrets"] = $"{OldWebhookSecret};{Stripe.WebhookSecret}";
        return settings;
    }

    public ServiceProcess StartSync(IDictionary<string, string?>? extra = null, bool stripeApi = true)
    {
        var settings = CommonSettings(stripeApi);
        settings["Accounting__ConnectorDirectory"] = ConnectorDirectory;
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
            settings[k] = v;
        return ServiceProcess.Start("accounting-sync", "Billing.AccountingSync", settings);
    }

    /// <summary>The real CLI against this admin API with the operator key.</summary>
    public CliRunner Cli => new(Api.BaseUrl, OperatorKey) { Columns = 250 };

    public HttpClient ApiClient(bool authenticated = true)
    {
        var client = new HttpClient { BaseAddress = new Uri(Api.BaseUrl), Timeout = TimeSpan.FromSeconds(120) };
        if (authenticated)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        return client;
    }

    public async Task<HttpResponseMessage> PostWebhookAsync(HttpClient client, string payload, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe")
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        if (signature is not null)
            request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        return await client.SendAsync(request);
    }

    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = await Data.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters)
            cmd.Parameters.AddWithValue(name, value);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync() ?? 0L);
    }

    public async ValueTask DisposeAsync()
    {
        if (Sync is not null) await Sync.DisposeAsync();
        await Api.DisposeAsync();
        await Probe.DisposeAsync();
        await Stripe.DisposeAsync();
        await Vhost.DisposeAsync();
        await Db.DisposeAsync();
        if (Directory.Exists(ConnectorDirectory)) Directory.Delete(ConnectorDirectory, recursive: true);
    }
}
