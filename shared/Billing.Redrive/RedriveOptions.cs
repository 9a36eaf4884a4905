namespace Billing.Redrive;

/// <summary>Where the broker is and how careful a redrive is. One vhost per options instance.</summary>
public sealed class RedriveOptions
{
    /// <summary>AMQP URI including credentials and vhost, e.g. amqp://guest:guest@127.0.0.1:5673/.</summary>
    public required Uri AmqpUri { get; init; }

    /// <summary>RabbitMQ management API base, e.g. http://127.0.0.1:15673/.</summary>
    public required Uri ManagementUri { get; init; }

    /// <summary>Management user; defaults to the user in <see cref="AmqpUri"/>.</summary>
    public string? ManagementUser { get; init; }

    public string? ManagementPassword { get; init; }

    /// <summary>A message already redriven this many times is parked in <c>&lt;queue&gt;_parked</c> instead.</summary>
    public int MaxRedriveCount { get; init; } = 5;

    /// <summary>Messages per second when a request gives no rate; null means unthrottled.</summary>
    public double? DefaultRate { get; init; }

    /// <summary>Messages published per window of outstanding confirms.</summary>
    public int BatchSize { get; init; } = 200;

    /// <summary>Most messages a peek, group or plan holds unacknowledged at once.</summary>
    public int PeekLimit { get; init; } = 100_000;

    /// <summary>How long a pass waits for the next delivery before deciding the queue was drained by someone else.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(2);

    internal string VirtualHost
    {
        get
        {
            var path = Uri.UnescapeDataString(AmqpUri.AbsolutePath.TrimStart('/'));
            return path.Length == 0 ? "/" : path;
        }
    }

    internal (string User, string Password) ManagementCredentials()
    {
        var info = AmqpUri.UserInfo.Split(':', 2);
        var user = ManagementUser ?? Uri.UnescapeDataString(info[0]);
        var password = ManagementPassword ?? (info.Length > 1 ? Uri.UnescapeDataString(info[1]) : "");
        return (user.Length == 0 ? "guest" : user, user.Length == 0 && password.Length == 0 ? "guest" : password);
    }

    internal void Validate()
    {
        if (MaxRedriveCount < 1) throw new ArgumentOutOfRangeException(nameof(MaxRedriveCount), "MaxRedriveCount must be at least 1.");
        if (BatchSize is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(BatchSize), "BatchSize must be between 1 and 10000.");
        if (DefaultRate is <= 0) throw new ArgumentOutOfRangeException(nameof(DefaultRate), "DefaultRate must be positive or null.");
        if (PeekLimit < 1) throw new ArgumentOutOfRangeException(nameof(PeekLimit), "PeekLimit must be positive.");
    }
}
