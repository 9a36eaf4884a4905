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
        options.RequestsPerSecond = RequestsPerSecond(config);
        return options;
    }

    /// <summary><c>Stripe__RequestsPerSecond</c>, 25 when unset; 0 (refused at start) when it is not a whole number.</summary>
    public static int RequestsPerSecond(IConfiguration config) =>
        config["Stripe:RequestsPerSecond"] is not { Length: > 0 } text ? new StripeOptions().RequestsPerSecond
        : int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var rate) ? rate
        : 0;
}
