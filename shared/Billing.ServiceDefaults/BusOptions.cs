using System.ComponentModel.DataAnnotations;

namespace Billing.ServiceDefaults;

public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMq";

    [Required(ErrorMessage = "is required (e.g. amqp://guest:guest@127.0.0.1:5673/)")]
    public string Url { get; set; } = "";

    /// <summary>Management HTTP API, used by the redrive service and health details.</summary>
    public string? ManagementUrl { get; set; }

    /// <summary>Messages each consumer endpoint fetches ahead; also bounds its concurrency.</summary>
    [Range(1, 10_000)]
    public int Prefetch { get; set; } = 32;

    /// <summary>Attempts after the first before a message goes to its <c>_error</c> queue.</summary>
    [Range(0, 20)]
    public int RetryLimit { get; set; } = 3;

    [Range(0, 600_000)]
    public int RetryInitialMs { get; set; } = 200;

    [Range(0, 600_000)]
    public int RetryIncrementMs { get; set; } = 800;

    internal Uri ParsedUrl => new(Url);

    internal static bool IsValidUrl(string url) =>
        string.IsNullOrEmpty(url)
        || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "amqp" or "amqps" && uri.Host.Length > 0);
}
