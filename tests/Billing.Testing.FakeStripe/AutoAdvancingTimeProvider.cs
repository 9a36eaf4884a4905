namespace Billing.Testing.FakeStripe;

/// <summary>
/// A clock for tests that never sleeps: every timer (so every <c>Task.Delay(d, provider)</c>) is recorded,
/// moves the clock forward by its due time and fires at once. Tests then assert on <see cref="Delays"/>.
/// </summary>
public sealed class AutoAdvancingTimeProvider(DateTimeOffset? start = null) : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _delays = [];
    private DateTimeOffset _now = start ?? new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public IReadOnlyList<TimeSpan> Delays
    {
        get { lock (_gate) return [.. _delays]; }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now;
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        lock (_gate) _now += by;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime == Timeout.InfiniteTimeSpan) return new NoTimer();
        lock (_gate)
        {
            _delays.Add(dueTime);
            _now += dueTime;
        }
        // Fired on the pool, never inline: Task.Delay is still wiring the timer up when CreateTimer returns.
        ThreadPool.QueueUserWorkItem(_ => callback(state));
        return new NoTimer();
    }

    private sealed class NoTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;

        public void Dispose() { }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
