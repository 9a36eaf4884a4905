using System.ComponentModel.DataAnnotations;

namespace Billing.Stripe;

/// <summary>Settings for <see cref="StripeClient"/> and webhook verification (configuration section "Stripe").</summary>
public sealed class StripeOptions
{
    [Required]
    public string ApiKey { get; set; } = "";

    [Required]
    public string BaseUrl { get; set; } = "https://api.stripe.com";

    /// <summary>
    /// The API version every request pins (Stripe-Version) and webhook events must carry: the one Stripe.net's types
    /// are generated for, so it is not a setting. A change of the account's default version cannot change shapes under us.
    /// </summary>
    public static string ApiVersion => global::Stripe.StripeConfiguration.ApiVersion;

    /// <summary>
    /// Requests per second to Stripe: Stripe allows 100 live and 25 in test mode per account, the lower one is the
    /// safe default. With <see cref="StripeRequestBudget"/> (the services) it is the budget of the whole deployment,
    /// every replica together; a client without one keeps it alone.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = RequestsPerSecondRule)]
    public int RequestsPerSecond { get; set; } = 25;

    public const string RequestsPerSecondRule =
        "must be a whole number of requests per second from 1 to 10000 (the Stripe budget of the whole deployment)";

    // Each attempt's own limit; waits between attempts are not counted.
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Range(0, 20)]
    public int MaxRetries { get; set; } = 4;

    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(8);

    // A Retry-After longer than this fails the call instead: the message is retried later by the bus,
    // which is better than holding a consumer for minutes.
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    // Several secrets so an endpoint secret can be rolled without rejecting events signed with the old one.
    public IList<string> WebhookSecrets { get; set; } = [];

    [Range(1, 86_400)]
    public int WebhookToleranceSeconds { get; set; } = 300;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ApiKey))
            throw new ArgumentException("Stripe:ApiKey is required (environment variable Stripe__ApiKey).", nameof(ApiKey));
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http"))
            throw new ArgumentException($"Stripe:BaseUrl must be an absolute http(s) URL, got '{BaseUrl}'.", nameof(BaseUrl));
        if (ApiKey.Any(char.IsWhiteSpace))
            throw new ArgumentException("Stripe:ApiKey must not contain whitespace.", nameof(ApiKey));
        if (RequestTimeout <= TimeSpan.Zero)
            throw new ArgumentException("Stripe:RequestTimeout must be positive.", nameof(RequestTimeout));
        if (RequestsPerSecond is < 1 or > 10_000)
            throw new ArgumentException($"Stripe:RequestsPerSecond {RequestsPerSecondRule}, got {RequestsPerSecond}.", nameof(RequestsPerSecond));
        if (MaxRetries < 0)
            throw new ArgumentException("Stripe:MaxRetries must not be negative.", nameof(MaxRetries));
    }
}
