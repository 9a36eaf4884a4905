using System.Net;
using System.Net.Http.Headers;

namespace Billing.Stripe;

/// <summary>When to retry a Stripe call and how long to wait before the next attempt.</summary>
internal sealed class StripeRetryPolicy(StripeOptions options, TimeProvider time)
{
    /// <summary>Decision for an error response: retry or surface it.</summary>
    public static bool ShouldRetry(HttpResponseMessage response, StripeException error)
    {
        // Stripe says explicitly when it knows better than the status code, e.g. a 409 still in flight.
        if (response.Headers.TryGetValues("Stripe-Should-Retry", out var values))
        {
            var value = values.FirstOrDefault();
            if (string.Equals(value, "false", StringComparison.OrdinalIgnoreCase)) return false;
            if (string.Equals(value, "true", StringComparison.OrdinalIgnoreCase)) return true;
        }

        var status = (int)response.StatusCode;
        if (response.StatusCode == HttpStatusCode.TooManyRequests || status >= 500) return true;
        // A concurrent request holding the same object's lock clears on its own; other 409s do not.
        return response.StatusCode == HttpStatusCode.Conflict
            && error.Code is "lock_timeout" or "idempotency_key_in_use";
    }

    /// <summary>
    /// Exponential backoff with jitter (half to full of the step) and never less than Retry-After.
    /// Returns null when the server asks for a longer pause than <see cref="StripeOptions.MaxRetryAfter"/>.
    /// </summary>
    public TimeSpan? Delay(int attempt, RetryConditionHeaderValue? retryAfter)
    {
        var step = options.InitialRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        var capped = Math.Min(step, options.MaxRetryDelay.TotalMilliseconds);
        var delay = TimeSpan.FromMilliseconds(capped * (0.5 + Random.Shared.NextDouble() * 0.5));

        var requested = RetryAfter(retryAfter);
        if (requested is { } wait)
        {
            if (wait > options.MaxRetryAfter) return null;
            if (wait > delay) delay = wait;
        }
        return delay;
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date) return date - time.GetUtcNow() is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero;
        return null;
    }
}
