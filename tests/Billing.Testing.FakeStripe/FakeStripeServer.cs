using System.Text.Json.Nodes;
using Billing.Stripe;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Billing.Testing.FakeStripe;

/// <summary>
/// A Stripe stand-in on a real socket (Kestrel, 127.0.0.1, free port) speaking Stripe's wire format for
/// customers, invoice items and invoices. Safe to call from many consumers at once.
/// </summary>
public sealed partial class FakeStripeServer : IAsyncDisposable
{
    public const string DefaultApiKey = "sk_test_billing_fake";

    private readonly FakeStripeState _state;
    private readonly FakeIdempotency _idempotency = new();
    private readonly Lock _gate = new();
    private readonly List<InjectedFailure> _failures = [];
    private readonly List<FakeRequest> _requests = [];
    private readonly TimeProvider _time;
    private WebApplication? _app;
    private string? _baseUrl;

    public FakeStripeServer(string apiKey = DefaultApiKey, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        ApiKey = apiKey;
        _time = time ?? TimeProvider.System;
        _state = new FakeStripeState(_time);
    }

    public string ApiKey { get; }

    /// <summary>The only Stripe-Version this fake answers: the one Stripe.net pins. Webhook events carry it too.</summary>
    public static string ApiVersion => StripeOptions.ApiVersion;

    /// <summary>The secret webhooks from <see cref="CreateWebhook"/> are signed with.</summary>
    public string WebhookSecret { get; } = "whsec_" + FakeIds.New("x")[2..];

    /// <summary>e.g. http://127.0.0.1:41234; set by <see cref="StartAsync"/>.</summary>
    public string BaseUrl => _baseUrl ?? throw new InvalidOperationException("Call StartAsync before reading BaseUrl.");

    public IReadOnlyList<FakeCustomer> Customers => _state.Customers;

    public IReadOnlyList<FakeInvoiceItem> InvoiceItems => _state.Items;

    public IReadOnlyList<FakeInvoice> Invoices => _state.Invoices;

    public IReadOnlyList<FakeRequest> Requests
    {
        get { lock (_gate) return [.. _requests]; }
    }

    public static async Task<FakeStripeServer> StartNewAsync(string apiKey = DefaultApiKey, CancellationToken ct = default)
    {
        var server = new FakeStripeServer(apiKey);
        await server.StartAsync(ct);
        return server;
    }

    public async Task StartAsync(CancellationToken ct = default)
    {
        if (_app is not null) throw new InvalidOperationException("The fake Stripe server is already started.");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Use(HandleAsync);
        MapEndpoints(app);
        await app.StartAsync(ct);
        _app = app;
        _baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.First().TrimEnd('/');
    }

    /// <summary>Options for a <see cref="StripeClient"/> pointed at this server.</summary>
    public StripeOptions ClientOptions() => new()
    {
        ApiKey = ApiKey,
        BaseUrl = BaseUrl,
        WebhookSecrets = [WebhookSecret],
    };

    /// <summary>
    /// The next <paramref name="count"/> authenticated requests fail with <paramref name="status"/> in Stripe's
    /// error shape (429 rate_limit, 409 lock_timeout, 402 card_declined, 5xx api_error). With
    /// <paramref name="path"/>, only requests whose path equals or ends with it fail, e.g. "/finalize".
    /// Injections are consumed in the order they were made.
    /// </summary>
    public void FailNext(int count, int status, string? retryAfter = null, bool? shouldRetry = null, string? path = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 599);
        lock (_gate) _failures.Add(new InjectedFailure(status, retryAfter, shouldRetry, path) { Remaining = count });
    }

    /// <summary>Drops failures injected with <see cref="FailNext"/> that no request has consumed yet.</summary>
    public void ClearFailures()
    {
        lock (_gate) _failures.Clear();
    }

    /// <summary>Requests received for a path, all methods; e.g. RequestCount("/v1/invoices").</summary>
    public int RequestCount(string path)
    {
        lock (_gate) return _requests.Count(r => r.Path == path);
    }

    public int RequestCount(string method, string path)
    {
        lock (_gate) return _requests.Count(r => r.Path == path && string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The customer pays an open invoice in full (Stripe's hosted page): a payment intent with one charge, recorded as
    /// the invoice's payment (GET /v1/invoice_payments finds it by payment intent). Send the invoice.paid webhook yourself.
    /// </summary>
    public FakeInvoicePayment MarkPaid(string invoiceId) =>
        _state.MarkPaid(invoiceId) ?? throw new ArgumentException($"No open invoice '{invoiceId}'.", nameof(invoiceId));

    public IReadOnlyList<FakeInvoicePayment> InvoicePayments => _state.Payments;

    /// <summary>
    /// A charge.refunded event for a paid invoice's charge, shaped as this API version sends it: the charge names its
    /// payment intent and no invoice (the link is the invoice payment), and lists the refunds given.
    /// </summary>
    public FakeWebhook CreateRefundWebhook(FakeInvoicePayment payment, params (string Id, long Amount)[] refunds)
    {
        ArgumentNullException.ThrowIfNull(payment);
        var data = new JsonArray();
        foreach (var (id, amount) in refunds)
        {
            data.Add(new JsonObject
            {
                ["id"] = id, ["object"] = "refund", ["amount"] = amount, ["currency"] = payment.Currency, ["status"] = "succeeded",
                ["charge"] = payment.Charge, ["payment_intent"] = payment.PaymentIntent,
            });
        }
        return CreateWebhook("charge.refunded", new JsonObject
        {
            ["id"] = payment.Charge,
            ["object"] = "charge",
            ["amount"] = payment.Amount,
            ["amount_captured"] = payment.Amount,
            ["amount_refunded"] = refunds.Sum(r => r.Amount),
            ["currency"] = payment.Currency,
            ["customer"] = _state.FindInvoice(payment.Invoice)?.Customer,
            ["payment_intent"] = payment.PaymentIntent,
            ["paid"] = true,
            ["refunded"] = refunds.Sum(r => r.Amount) >= payment.Amount,
            ["status"] = "succeeded",
            ["metadata"] = new JsonObject(),
            ["livemode"] = false,
            ["refunds"] = new JsonObject { ["object"] = "list", ["data"] = data, ["has_more"] = false, ["url"] = $"/v1/charges/{payment.Charge}/refunds" },
        });
    }

    /// <summary>Plants drift: Stripe's total for the invoice no longer matches ours.</summary>
    public void SetInvoiceTotal(string invoiceId, long total)
    {
        if (!_state.SetTotal(invoiceId, total)) throw new ArgumentException($"No such invoice: '{invoiceId}'.", nameof(invoiceId));
    }

    /// <summary>
    /// An event as Stripe would POST it to a webhook endpoint, signed with <see cref="WebhookSecret"/> or
    /// <paramref name="secret"/> (e.g. the one being rolled out), in <see cref="ApiVersion"/> unless told otherwise.
    /// </summary>
    public FakeWebhook CreateWebhook(string type, JsonObject dataObject, DateTimeOffset? at = null, string? secret = null, string? apiVersion = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(dataObject);
        var when = at ?? _time.GetUtcNow();
        var payload = new JsonObject
        {
            ["id"] = FakeIds.New("evt"),
            ["object"] = "event",
            ["api_version"] = apiVersion ?? ApiVersion,
            ["created"] = when.ToUnixTimeSeconds(),
            ["type"] = type,
            ["livemode"] = false,
            ["data"] = new JsonObject { ["object"] = dataObject.DeepClone() },
        }.ToJsonString();
        return new FakeWebhook(payload, StripeWebhookSignature.Sign(payload, secret ?? WebhookSecret, when));
    }

    /// <summary>An event about one of this server's invoices, e.g. "invoice.paid".</summary>
    public FakeWebhook CreateInvoiceWebhook(string type, string invoiceId, DateTimeOffset? at = null)
    {
        var invoice = _state.FindInvoice(invoiceId) ?? throw new ArgumentException($"No such invoice: '{invoiceId}'.", nameof(invoiceId));
        return CreateWebhook(type, FakeStripeJson.Invoice(invoice, _state.ItemsOf(invoice)), at);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    private sealed record InjectedFailure(int Status, string? RetryAfter, bool? ShouldRetry, string? Path)
    {
        public int Remaining { get; set; }

        public bool Matches(string path) => Path is null || path.EndsWith(Path, StringComparison.Ordinal);
    }

    private InjectedFailure? TakeFailure(string path)
    {
        lock (_gate)
        {
            var failure = _failures.Find(f => f.Matches(path));
            if (failure is null) return null;
            if (--failure.Remaining == 0) _failures.Remove(failure);
            return failure;
        }
    }
}
