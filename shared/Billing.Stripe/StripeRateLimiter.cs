namespace Billing.Stripe;

/// <summary>What every attempt of a <see cref="StripeClient"/> waits on before it is sent.</summary>
public interface IStripeRateLimiter
{
    /// <summary>Waits until one request may be sent.</summary>
    ValueTask AcquireAsync(CancellationToken ct = default);
}

/// <summary>
/// Token bucket of one process, shared by every call of one <see cref="StripeClient"/>. The services use
/// <see cref="StripeRequestBudget"/> instead, one budget for all their replicas. A caller that finds the bucket empty
/// reserves the next token (the balance goes negative) and waits until it is due, so waiters are served in
/// arrival order and the long-run rate never exceeds <c>requestsPerSecond</c>. The burst is one second's worth.
/// </summary>
public sealed class StripeRateLimiter : IStripeRateLimiter
{
    private readonly Lock _gate = new();
    private readonly double _rate;
    private readonly double _capacity;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _lastRefill;

    public StripeRateLimiter(double requestsPerSecond, TimeProvider? time = null)
    {
        if (!(requestsPerSecond > 0))
            throw new ArgumentOutOfRangeException(nameof(requestsPerSecond), requestsPerSecond, "Must be greater than 0.");
        _rate = requestsPerSecond;
        _capacity = Math.Max(1, requestsPerSecond);
        _time = time ?? TimeProvider.System;
        _tokens = _capacity;
        _lastRefill = _time.GetTimestamp();
    }

    /// <summary>Waits until one request may be sent.</summary>
    public async ValueTask AcquireAsync(CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var wait = Reserve();
        if (wait <= TimeSpan.Zero) return;
        try
        {
            await Task.Delay(wait, _time, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Give the reserved token back so a cancelled caller does not slow down the others.
            lock (_gate) _tokens += 1;
            throw;
        }
    }

    private TimeSpan Reserve()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var elapsed = _time.GetElapsedTime(_lastRefill, now).TotalSeconds;
            _lastRefill = now;
            _tokens = Math.Min(_capacity, _tokens + elapsed * _rate);
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _rate);
        }
    }
}
