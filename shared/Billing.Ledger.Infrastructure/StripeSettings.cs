using Billing.Stripe;
using Microsoft.Extensions.Configuration;

namespace Billing.Ledger.Infrastructure;

/// <summary>
/// Reads the Stripe section by hand: <c>Stripe__WebhookSecrets</c> is one <c>;</c>-separated string (several
/// secrets while one is rolled), which the configuration binder cannot turn into a list.
/// </summary>
public static class StripeSettings
{
    public static IReadOnlyList<string> WebhookSecrets(IConfiguration config) =>
        (config["Stripe:WebhookSecrets"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static int WebhookToleranceSeconds(IConfiguration config) =>
        int.TryParse(config["Stripe:WebhookToleranceSeconds"], out var seconds) && seconds > 0 ? seconds : 300;

    /// <summary>Client options when <c>Stripe__ApiKey</c> is set, else null (Stripe is then not checked).</summary>
    public static StripeOptions? ClientOptions(IConfiguration config)
    {
        if (string.IsNullOrWhiteSpace(config["Stripe:ApiKey"]))
            return null;
        var options = new StripeOptions { ApiKey = config["Stripe:ApiKey"]!, WebhookSecrets = [.. WebhookSecrets(config)] };
        if (config["Stripe:BaseUrl"] is { Length: > 0 } baseUrl)
            options.BaseUrl = baseUrl;
        if (double.TryParse(config["Stripe:RequestsPerSecond"], System.Globalization.CultureInfo.InvariantCulture, out var rate) && rate > 0)
            options.RequestsPerSecond = rate;
        return options;
    }
}
