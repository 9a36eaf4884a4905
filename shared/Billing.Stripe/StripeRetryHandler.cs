using System.Net.Http.Headers;

namespace Billing.Stripe;

/// <summary>
/// The one retry layer under Stripe.net (whose own retries are off): every attempt first takes a token from the
/// shared <see cref="IStripeRateLimiter"/>, then goes out with the same headers, so the same Idempotency-Key, and the
/// same body. 429, 5xx, 409 lock_timeout/idempotency_key_in_use and connection failures are retried,
/// <c>Stripe-Should-Retry</c> overrides, and a wait is never shorter than <c>Retry-After</c>. The last answer goes up
/// to Stripe.net unchanged, which turns an error status into its exception.
/// </summary>
internal sealed class StripeRetryHandler : DelegatingHandler
{
    private readonly StripeOptions _options;
    private readonly TimeProvider _time;
    private readonly IStripeRateLimiter _limiter;
    private readonly StripeRetryPolicy _retry;

    public StripeRetryHandler(StripeOptions options, TimeProvider time, IStripeRateLimiter limiter, HttpMessageHandler inner)
        : base(inner)
    {
        _options = options;
        _time = time;
        _limiter = limiter;
        _retry = new StripeRetryPolicy(options, time);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        // Read once: each attempt sends a fresh message with these very bytes.
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            await _limiter.AcquireAsync(ct).ConfigureAwait(false);
            using var message = Copy(request, body);
            HttpResponseMessage response;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                // A per-attempt timeout on the real clock: the outer HttpClient has none, as it would also cover the waits.
                timeout.CancelAfter(_options.RequestTimeout);
                try
                {
                    response = await base.SendAsync(message, timeout.Token).ConfigureAwait(false);
                    await response.Content.LoadIntoBufferAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested && ex is HttpRequestException or OperationCanceledException)
                {
                    if (attempt >= _options.MaxRetries)
                    {
                        if (ex is HttpRequestException) throw;
                        throw new HttpRequestException(
                            $"Stripe did not answer {request.Method} {request.RequestUri?.AbsolutePath} within {_options.RequestTimeout.TotalSeconds:0.#} s.", ex);
                    }
                    // The request may or may not have reached Stripe; the same idempotency key makes a repeat safe.
                    await Task.Delay(_retry.Delay(attempt, null)!.Value, _time, ct).ConfigureAwait(false);
                    continue;
                }
            }

            var requestId = response.Headers.TryGetValues("Request-Id", out var ids) ? ids.FirstOrDefault() : null;
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                if (!text.AsSpan().TrimStart().StartsWith("{"))
                {
                    response.Dispose();
                    throw StripeException.InvalidResponse(response.StatusCode, $"the body is not a JSON object: {Excerpt(text)}", requestId);
                }
                return response;
            }

            var error = StripeException.FromResponse(response.StatusCode, text, requestId);
            if (attempt >= _options.MaxRetries || !StripeRetryPolicy.ShouldRetry(response, error)) return response;
            var delay = _retry.Delay(attempt, response.Headers.RetryAfter);
            if (delay is null) return response;
            response.Dispose();
            await Task.Delay(delay.Value, _time, ct).ConfigureAwait(false);
        }
    }

    private static HttpRequestMessage Copy(HttpRequestMessage request, byte[]? body)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        foreach (var (name, values) in request.Headers) copy.Headers.TryAddWithoutValidation(name, values);
        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (var (name, values) in request.Content!.Headers)
            {
                // The new content knows its own length.
                if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) copy.Content.Headers.TryAddWithoutValidation(name, values);
            }
        }
        return copy;
    }

    internal static string Excerpt(string text) => text.Length > 200 ? text[..200] : text;
}
