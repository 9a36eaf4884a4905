using System.ComponentModel.DataAnnotations;

namespace Billing.Redrive;

/// <summary>Settings <c>Redrive__*</c>: how careful redrives are and how the redrive service runs jobs.</summary>
public sealed class RedriveSettings
{
    public const string Section = "Redrive";

    /// <summary>A message already redriven this many times is parked in <c>&lt;queue&gt;_parked</c> instead.</summary>
    [Range(1, 1000)]
    public int MaxRedriveCount { get; set; } = 5;

    /// <summary>Window of outstanding publisher confirms when a request gives none.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>Most messages a peek, group or dry run examines.</summary>
    [Range(1, 1_000_000)]
    public int PeekLimit { get; set; } = 100_000;

    /// <summary>How often the redrive service looks for queued jobs.</summary>
    [Range(50, 60_000)]
    public int PollIntervalMs { get; set; } = 1000;

    /// <summary>A running job whose heartbeat is older than this belongs to a dead service and is claimed again.</summary>
    [Range(2, 3600)]
    public int StaleJobSeconds { get; set; } = 60;
}

/// <summary>Settings <c>RabbitMq__*</c> the redrive library needs beyond the bus: the management API and its credentials.</summary>
public sealed class RedriveBrokerSettings
{
    public const string Section = "RabbitMq";

    public string Url { get; set; } = "";

    /// <summary>Defaults to http://&lt;AMQP host&gt;:15672/.</summary>
    public string? ManagementUrl { get; set; }

    /// <summary>Default: the user in the AMQP URL.</summary>
    public string? ManagementUser { get; set; }

    public string? ManagementPassword { get; set; }

    internal static bool IsValidManagementUrl(string? url) =>
        string.IsNullOrEmpty(url) || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https");

    internal RedriveOptions ToOptions(RedriveSettings settings)
    {
        var amqp = new Uri(Url);
        var management = string.IsNullOrEmpty(ManagementUrl) ? new Uri($"http://{amqp.Host}:15672/") : new Uri(ManagementUrl);
        return new RedriveOptions
        {
            AmqpUri = amqp,
            ManagementUri = management,
            ManagementUser = string.IsNullOrEmpty(ManagementUser) ? null : ManagementUser,
            ManagementPassword = string.IsNullOrEmpty(ManagementPassword) ? null : ManagementPassword,
            MaxRedriveCount = settings.MaxRedriveCount,
            BatchSize = settings.BatchSize,
            PeekLimit = settings.PeekLimit,
        };
    }
}
