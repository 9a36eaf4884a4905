using Microsoft.AspNetCore.Http.HttpResults;
using System.Diagnostics;
using System.Text;
using Billing.Ledger.Infrastructure;
using Billing.Api.Contracts;
using Billing.Contracts;
using Billing.Stripe;
using MassTransit;
using StripeEvent = Stripe.Event;

namespace Billing.AdminApi.Endpoints;

/// <summary>
/// <c>POST /webhooks/stripe</c>, anonymous: Stripe proves itself with the <c>Stripe-Signature</c> header (secrets in
/// <c>Stripe__WebhookSecrets</c>, <c>;</c>-separated while one is rolled). A verified event is stored once by its id,
/// turned into internal events for accounting-sync, and answered at once; the ledger work happens on the bus.
/// </summary>
public static class StripeWebhookEndpoints
{
    const int MaxBodyBytes = 512 * 1024;

    public static IEndpointRouteBuilder MapStripeWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/webhooks").WithTags("Webhooks").MapPost("/stripe", ReceiveAsync).AllowAnonymous()
            .Body<string>().ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Stripe events, verified by the Stripe-Signature header (no API key)");
        return app;
    }

    static async Task<Results<Ok<StripeWebhookAck>, ValidationProblem, ProblemHttpResult>> ReceiveAsync(HttpRequest request, IConfiguration config, TimeProvider time, StripeEventStore events,
        StripeWebhookTranslator translator, IPublishEndpoint publish, ILoggerFactory loggers, CancellationToken ct)
    {
        var log = loggers.CreateLogger("Billing.AdminApi.StripeWebhooks");
        var secrets = StripeSettings.WebhookSecrets(config);
        if (secrets.Count == 0)
            return TypedResults.Problem(statusCode: 503, title: "Stripe webhooks are not configured", detail: "set Stripe__WebhookSecrets");

        // The signature covers the raw bytes as sent: read them before anything parses the body.
        if (request.ContentLength > MaxBodyBytes)
            return await RejectAsync(publish, log, "body_too_large", "body", $"the body exceeds {MaxBodyBytes} bytes", ct);
        string payload;
        using (var reader = new StreamReader(request.Body, new UTF8Encoding(false, throwOnInvalidBytes: false)))
            payload = await reader.ReadToEndAsync(ct);
        if (payload.Length > MaxBodyBytes)
            return await RejectAsync(publish, log, "body_too_large", "body", $"the body exceeds {MaxBodyBytes} bytes", ct);

        var verdict = StripeWebhookSignature.Verify(payload, request.Headers["Stripe-Signature"].ToString(), secrets,
            time.GetUtcNow(), TimeSpan.FromSeconds(StripeSettings.WebhookToleranceSeconds(config)));
        if (verdict != StripeSignatureResult.Valid)
            return await RejectAsync(publish, log, Code(verdict), "Stripe-Signature", Describe(verdict), ct);

        StripeEvent evt;
        try
        {
            evt = StripeWebhookEvent.Parse(payload);
        }
        catch (FormatException ex)
        {
            return await RejectAsync(publish, log, "invalid_payload", "body", ex.Message, ct);
        }

        var receipt = await events.ReceiveAsync(evt.Id, evt.Type, payload, Activity.Current?.TraceId.ToString(), ct);
        if (receipt == StripeEventReceipt.Duplicate)
            return TypedResults.Ok(new StripeWebhookAck(evt.Id, "duplicate", null));

        var translation = await translator.TranslateAsync(evt, ct);
        foreach (var message in translation.Messages)
            await publish.Publish(message, message.GetType(), ct);
        if (translation.Outcome == WebhookTranslation.Rejected)
        {
            log.LogWarning("Stripe event {EventId} ({Type}) rejected: {Reason}", evt.Id, evt.Type, translation.Reason);
            await publish.Publish(new ErrorReported("admin-api", "webhook_rejected", "event_rejected", translation.Reason ?? "rejected",
                translation.InvoiceId, null, null, Activity.Current?.TraceId.ToString(), evt.Id, payload, time.GetUtcNow()), ct);
        }
        await events.CompleteAsync(evt.Id, translation.Outcome, translation.Reason, ct);
        return TypedResults.Ok(new StripeWebhookAck(evt.Id, translation.Outcome, translation.Reason));
    }

    // Nothing is stored for a request that fails verification: anyone can post here.
    static async Task<ValidationProblem> RejectAsync(IPublishEndpoint publish, ILogger log, string code, string field, string message, CancellationToken ct)
    {
        log.LogWarning("Stripe webhook refused ({Code}): {Message}", code, message);
        await publish.Publish(new ErrorReported("admin-api", "webhook_rejected", code, message, null, null, null,
            Activity.Current?.TraceId.ToString(), null, null, DateTimeOffset.UtcNow), ct);
        return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
    }

    static string Code(StripeSignatureResult verdict) => verdict switch
    {
        StripeSignatureResult.MissingHeader => "signature_missing",
        StripeSignatureResult.Malformed => "signature_malformed",
        StripeSignatureResult.TimestampOutsideTolerance => "signature_timestamp_outside_tolerance",
        _ => "signature_mismatch",
    };

    static string Describe(StripeSignatureResult verdict) => verdict switch
    {
        StripeSignatureResult.MissingHeader => "the Stripe-Signature header is missing",
        StripeSignatureResult.Malformed => "the Stripe-Signature header is not t=<unix>,v1=<hex>",
        StripeSignatureResult.TimestampOutsideTolerance => "the signature's timestamp is outside the tolerance (replayed or clock skew)",
        _ => "no v1 signature matches the body with any configured secret",
    };
}
