using RabbitMQ.Client;

namespace Billing.Redrive.Tests.Infrastructure;

/// <summary>A fresh vhost per test class, deleted at the end, so classes never see each other's queues.</summary>
public sealed class RabbitVhost : IAsyncLifetime
{
    private readonly ManagementClient _management = new(Servers.Management, "guest", "guest");

    public string Name { get; } = Servers.UniqueName("redrive-spec");

    public Uri AmqpUri => new(Servers.Amqp, Uri.EscapeDataString(Name));

    public Uri MassTransitHost => new($"rabbitmq://{Servers.Amqp.Host}:{Servers.Amqp.Port}/{Name}");

    public RedriveOptions Options(int maxRedriveCount = 5, int batchSize = 200) => new()
    {
        AmqpUri = AmqpUri,
        ManagementUri = Servers.Management,
        MaxRedriveCount = maxRedriveCount,
        BatchSize = batchSize,
        IdleTimeout = TimeSpan.FromSeconds(3),
    };

    internal ManagementClient Management => _management;

    public Task InitializeAsync() => _management.CreateVhostAsync(Name, "guest", CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _management.DeleteVhostAsync(Name, CancellationToken.None);
        _management.Dispose();
    }

    public Task<IConnection> ConnectAsync() => new ConnectionFactory { Uri = AmqpUri }.CreateConnectionAsync();
}
