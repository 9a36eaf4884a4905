using Stripe;

namespace Billing.Stripe;

/// <summary>
/// The Stripe calls invoicing needs, on Stripe.net's <see cref="global::Stripe.StripeClient"/>. Under it sits one
/// <see cref="HttpClient"/> whose handler owns the rate limiter and the retries (Stripe.net's own retries are off, so
/// there is one retry layer). Every POST carries our idempotency key, which the handler sends unchanged on each retry
/// so a retried create never makes a second object. Answers come back as the small records of this library; errors
/// as <see cref="StripeException"/>.
/// </summary>
public sealed partial class StripeClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly global::Stripe.StripeClient _stripe;
    private readonly CustomerService _customers;
    private readonly InvoiceService _invoices;
    private readonly InvoiceItemService _items;
    private readonly CreditNoteService _creditNotes;
    private readonly InvoicePaymentService _invoicePayments;

    /// <param name="limiter">
    /// What each attempt waits on: the services pass the deployment's <see cref="StripeRequestBudget"/>; without one
    /// each client gets its own in-process bucket of <see cref="StripeOptions.RequestsPerSecond"/>.
    /// </param>
    /// <param name="transport">What sends the HTTP requests (default: a new <see cref="SocketsHttpHandler"/>); tests pass their own.</param>
    public StripeClient(StripeOptions options, TimeProvider? time = null, IStripeRateLimiter? limiter = null, HttpMessageHandler? transport = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        time ??= TimeProvider.System;
        limiter ??= new StripeRateLimiter(options.RequestsPerSecond, time);
        var handler = new StripeRetryHandler(options, time, limiter,
            transport ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        // No timeout here: it would cover the waits between attempts too; the handler limits each attempt.
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _stripe = new global::Stripe.StripeClient(new StripeClientOptions
        {
            ApiKey = options.ApiKey,
            ApiBase = options.BaseUrl.TrimEnd('/'),
            HttpClient = new SystemNetHttpClient(_http, maxNetworkRetries: 0, appInfo: null, enableTelemetry: false),
        });
        _customers = new CustomerService(_stripe);
        _invoices = new InvoiceService(_stripe);
        _items = new InvoiceItemService(_stripe);
        _creditNotes = new CreditNoteService(_stripe);
        _invoicePayments = new InvoicePaymentService(_stripe);
    }

    /// <summary>Stripe.net's client over the same handler, for calls this library does not wrap.</summary>
    public IStripeClient Inner => _stripe;

    public void Dispose() => _http.Dispose();

    // Stripe.net errors in our terms; a 2xx answer that lacks what every such object has is an error too.
    private static async Task<TModel> CallAsync<TEntity, TModel>(Func<Task<TEntity>> call, Func<TEntity, TModel> map)
    {
        TEntity entity;
        try
        {
            entity = await call().ConfigureAwait(false);
        }
        catch (global::Stripe.StripeException ex)
        {
            throw Named<TModel>(StripeException.From(ex));
        }
        catch (StripeException ex) when (ex.Code == "invalid_response")
        {
            throw Named<TModel>(ex);
        }
        try
        {
            return map(entity);
        }
        catch (FormatException ex)
        {
            var requestId = (entity as IStripeEntity)?.StripeResponse?.RequestId;
            throw new StripeException(System.Net.HttpStatusCode.OK, "api_error", "invalid_response",
                $"Could not read Stripe's response as {typeof(TModel).Name}: {ex.Message}", null, requestId);
        }
    }

    private static StripeException Named<TModel>(StripeException ex) =>
        ex.Code != "invalid_response"
            ? ex
            : new StripeException(ex.StatusCode, ex.Type, ex.Code, $"{ex.StripeMessage} (read as {typeof(TModel).Name})", ex.Param, ex.RequestId, null, ex);

    private static RequestOptions Idempotent(string idempotencyKey) => new() { IdempotencyKey = Key(idempotencyKey) };
}
