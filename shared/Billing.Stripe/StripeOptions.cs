using System.ComponentModel.DataAnnotations;

namespace Billing.Stripe;

/// <summary>Settings for <see cref="StripeClient"/> and webhook verification (configuration section "Stripe").</summary>
public sealed class StripeOptions
{
    [Required]
    public string ApiKey { get; set; } = "";

    [Required]
    public string BaseUrl { get; set; } = "https://api.stripe.com";

    // Pinned so a change of the account's default API version cannot change the shape of responses under us.
    [Required]
    public string ApiVersion { get; set; } = "2024-06-20";

    // Stripe allows 100 requests/s live and 25 in test mode; the lower one is the safe default.
    [Range(0.1, 10_000)]
    public double RequestsPerSecond { get; set; } = 25;

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
        if (string.IsNullOrWhiteSpace(ApiVersion))
            throw new ArgumentException("Stripe:ApiVersion is required.", nameof(ApiVersion));
        if (!(RequestsPerSecond > 0))
            throw new ArgumentException("Stripe:RequestsPerSecond must be greater than 0.", nameof(RequestsPerSecond));
        if (MaxRetries < 0)
            throw new ArgumentException("Stripe:MaxRetries must not be negative.", nameof(MaxRetries));
    }
}
