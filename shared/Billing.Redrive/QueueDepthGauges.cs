using System.Diagnostics.Metrics;
using Billing.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Billing.Redrive;

/// <summary>
/// <c>billing.queue.depth</c> and <c>billing.dlq.depth</c> (tag <c>queue</c>) from the RabbitMQ management API. An
/// observation reads a cached listing; when it is older than <see cref="RefreshEvery"/> one refresh starts and the
/// observation waits for it at most <see cref="FreshWait"/> (else it reports the cached listing). Nobody observing costs
/// nothing, an exporter never waits long on the broker, and a management API that is down only empties the gauges
/// (logged once per outage), never throws into the exporter or the service.
/// The management counters lag by its stats interval (5 s), which a gauge can live with.
/// </summary>
public sealed class QueueDepthGauges : IHostedService, IDisposable
{
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan FreshWait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly RedriveOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<QueueDepthGauges> _log;
    private readonly ManagementClient _management;
    private readonly Meter _meter;
    private readonly CancellationTokenSource _stopping = new();
    private volatile Depths _depths = Depths.None;
    private readonly Lock _gate = new();
    private Task _refresh = Task.CompletedTask;
    private long _refreshedAt;
    private int _disposed;
    private bool _failing;

    public QueueDepthGauges(RedriveOptions options, IMeterFactory meters, TimeProvider time, ILogger<QueueDepthGauges> log)
    {
        _options = options;
        _time = time;
        _log = log;
        _management = ManagementClient.For(options);
        _meter = meters.Create(BillingMetrics.QueuesMeter);
        _meter.CreateObservableGauge(BillingMetrics.QueueDepth, () => Observe(deadLetter: false), "{message}",
            "Messages in each queue of the vhost (dead-letter queues excluded)");
        _meter.CreateObservableGauge(BillingMetrics.DlqDepth, () => Observe(deadLetter: true), "{message}",
            "Messages in each dead-letter queue (_error, _skipped, _parked, _archive)");
    }

    public Task StartAsync(CancellationToken ct)
    {
        _log.LogInformation("queue depth gauges: vhost {VirtualHost}, management API {ManagementUri}, refreshed at most every {Seconds}s when observed",
            _options.VirtualHost, _options.ManagementUri, RefreshEvery.TotalSeconds);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct)
    {
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    private IEnumerable<Measurement<long>> Observe(bool deadLetter)
    {
        RefreshIfStale();
        return deadLetter ? _depths.DeadLetter : _depths.Ordinary;
    }

    private void RefreshIfStale()
    {
        if (_stopping.IsCancellationRequested) return;
        Task refresh;
        lock (_gate)
        {
            if (_refresh.IsCompleted && (_refreshedAt == 0 || _time.GetElapsedTime(_refreshedAt) >= RefreshEvery))
                _refresh = Task.Run(RefreshAsync);
            refresh = _refresh;
        }
        refresh.Wait(FreshWait); // RefreshAsync never faults
    }

    private async Task RefreshAsync()
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(RequestTimeout);
            var rows = await _management.QueuesAsync(_options.VirtualHost, timeout.Token);
            _depths = Depths.From(rows);
            if (_failing) _log.LogInformation("queue depth gauges: the management API answers again");
            _failing = false;
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            // Stale depths would look like a healthy, idle broker: report nothing instead.
            _depths = Depths.None;
            if (!_failing)
                _log.LogWarning("queue depth gauges: the management API at {ManagementUri} does not answer ({Error}); the gauges report nothing until it does",
                    _options.ManagementUri, ex.Message);
            _failing = true;
        }
        catch (Exception)
        {
            // Stopping: the listing no longer matters.
        }
        finally
        {
            lock (_gate) _refreshedAt = _time.GetTimestamp();
        }
    }

    // Called twice (the singleton and the hosted service are the same instance). The token source is only cancelled,
    // never disposed: a refresh still running, or an exporter's last collection, may read it.
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping.Cancel();
        _meter.Dispose();
        _management.Dispose();
    }

    private sealed record Depths(Measurement<long>[] Ordinary, Measurement<long>[] DeadLetter)
    {
        public static readonly Depths None = new([], []);

        public static Depths From(IEnumerable<ManagementClient.QueueRow> rows)
        {
            var ordinary = new List<Measurement<long>>();
            var deadLetter = new List<Measurement<long>>();
            foreach (var row in rows)
            {
                // A bus's own temporary queue (host_process_bus_xyz) comes and goes with each instance: not worth a series.
                if (row.Messages is not { } messages || row.Name.Contains("_bus_", StringComparison.Ordinal)) continue;
                var measurement = new Measurement<long>(messages, new KeyValuePair<string, object?>(BillingMetrics.QueueTag, row.Name));
                (QueueNames.KindOf(row.Name) is null ? ordinary : deadLetter).Add(measurement);
            }
            return new([.. ordinary], [.. deadLetter]);
        }
    }
}
