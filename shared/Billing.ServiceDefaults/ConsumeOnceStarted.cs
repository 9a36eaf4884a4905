using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Billing.ServiceDefaults;

/// <summary>
/// Starts the bus after every hosted service has started, the web server included, and stops it first. MassTransit's
/// own hosted service starts the bus before the server binds its port; when the bind then failed, the messages the
/// process had already taken were torn down with the container and faulted into <c>_error</c> queues.
/// </summary>
internal sealed class ConsumeOnceStarted(IBusDepot depot, IOptions<MassTransitHostOptions> options) : IHostedLifecycleService, IAsyncDisposable
{
    // Not a container singleton: disposing one that never started logs a "Failed to stop bus (Not Started)" warning.
    private readonly MassTransitHostedService bus = new(depot, options);
    private bool started;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Runs once every StartAsync succeeded; an exception here still fails the start (exit code 3 for RabbitMQ).
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        started = true;
        return bus.StartAsync(cancellationToken);
    }

    // Stop taking messages and let those in flight finish (MassTransitHostOptions.StopTimeout) before the server
    // and the other services stop underneath them.
    public Task StoppingAsync(CancellationToken cancellationToken) => bus.StopAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // A start that failed half-way is not followed by a stop: what did start is stopped here.
    public ValueTask DisposeAsync() => started ? bus.DisposeAsync() : ValueTask.CompletedTask;
}
