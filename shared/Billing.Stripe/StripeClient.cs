using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Billing.Stripe;

/// <summary>
/// Typed client for the few Stripe endpoints invoicing needs. Every POST carries an idempotency key, which is
/// sent unchanged on each retry so a retried create never makes a second object.
/// </summary>
public sealed partial class StripeClient
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = false,
        // A response missing an id or amount fails here, loudly, instead of flowing on as null or 0.
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private readonly HttpClient _http;
    private readonly StripeOptions _options;
    private readonly TimeProvider _time;
    private readonly StripeRateLimiter _limiter;
    private readonly StripeRetryPolicy _retry;
    private readonly string _baseUrl;

    /// <param name="limiter">
    /// Pass one shared limiter when clients are not singletons (e.g. typed HttpClient registrations create one
    /// per scope); otherwise each client gets its own bucket of <see cref="StripeOptions.RequestsPerSecond"/>.
    /// </param>
    public StripeClient(HttpClient http, StripeOptions options, TimeProvider? time = null, StripeRateLimiter? limiter = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _http = http;
        _options = options;
        _time = time ?? TimeProvider.System;
        _limiter = limiter ?? new StripeRateLimiter(options.RequestsPerSecond, _time);
        _retry = new StripeRetryPolicy(options, _time);
        _baseUrl = options.BaseUrl.TrimEnd('/');
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string pathAndQuery, StripeForm? form, string? idempotencyKey, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            await _limiter.AcquireAsync(ct).ConfigureAwait(false);
            using var request = BuildRequest(method, pathAndQuery, form, idempotencyKey);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsConnectionFailure(ex, ct) && attempt < _options.MaxRetries)
            {
                // The request may or may not have reached Stripe; the same idempotency key makes a repeat safe.
                await Task.Delay(_retry.Delay(attempt, null)!.Value, _time, ct).ConfigureAwait(false);
                continue;
            }

            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                var requestId = Header(response, "Request-Id");
                if (response.IsSuccessStatusCode) return Deserialize<T>(response, body, requestId);

                var error = StripeException.FromResponse(response.StatusCode, body, requestId);
                if (attempt >= _options.MaxRetries || !StripeRetryPolicy.ShouldRetry(response, error)) throw error;
                var delay = _retry.Delay(attempt, response.Headers.RetryAfter);
                if (delay is null) throw error;
                await Task.Delay(delay.Value, _time, ct).ConfigureAwait(false);
            }
        }
    }

    private HttpRequestMessage BuildRequest(HttpMethod method, string pathAndQuery, StripeForm? form, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(method, _baseUrl + pathAndQuery);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
        request.Headers.TryAddWithoutValidation("Stripe-Version", _options.ApiVersion);
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        if (form is not null)
            request.Content = new StringContent(form.Encode(), Encoding.UTF8, "application/x-www-form-urlencoded");
        return request;
    }

    private static bool IsConnectionFailure(Exception ex, CancellationToken ct) =>
        ex is HttpRequestException
        // HttpClient.Timeout surfaces as a cancellation the caller did not ask for.
        || (ex is TaskCanceledException && !ct.IsCancellationRequested);

    private static T Deserialize<T>(HttpResponseMessage response, string body, string? requestId)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, Json)
                ?? throw new JsonException("The response body was the JSON literal null.");
        }
        catch (JsonException ex)
        {
            throw new StripeException(response.StatusCode, "api_error", "invalid_response",
                $"Could not read Stripe's response as {typeof(T).Name}: {ex.Message}", null, requestId);
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
