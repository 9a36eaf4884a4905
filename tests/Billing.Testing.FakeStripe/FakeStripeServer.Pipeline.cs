using System.Text;
using Microsoft.AspNetCore.Http;

namespace Billing.Testing.FakeStripe;

public sealed partial class FakeStripeServer
{
    // Every request: record, authenticate, injected failure, then idempotency around the endpoint.
    private async Task HandleAsync(HttpContext ctx, RequestDelegate next)
    {
        var request = ctx.Request;
        var receivedAt = DateTimeOffset.UtcNow;
        ctx.Response.Headers["Request-Id"] = FakeIds.New("req");
        var form = request.HasFormContentType
            ? (await request.ReadFormAsync(ctx.RequestAborted)).SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? ""))).ToList()
            : [];
        var key = request.Headers["Idempotency-Key"].FirstOrDefault();
        lock (_gate)
        {
            _requests.Add(new FakeRequest(request.Method, request.Path.Value ?? "", key,
                request.Headers["Stripe-Version"].FirstOrDefault(), form, receivedAt));
        }

        if (Unauthorized(request) is { } authError)
        {
            await WriteErrorAsync(ctx, authError);
            return;
        }

        // Stripe answers in the version a request pins; this fake speaks only Stripe.net's, so any other is a bug.
        var version = request.Headers["Stripe-Version"].FirstOrDefault();
        if (version != ApiVersion)
        {
            await WriteErrorAsync(ctx, FakeStripeError.Invalid("Stripe-Version", version is null
                ? $"No Stripe-Version header: this fake speaks only {ApiVersion}."
                : $"Invalid Stripe API version: {version}. This fake speaks only {ApiVersion}."));
            return;
        }

        if (TakeFailure(request.Path.Value ?? "") is { } failure)
        {
            if (failure.RetryAfter is not null) ctx.Response.Headers["Retry-After"] = failure.RetryAfter;
            if (failure.ShouldRetry is { } retry) ctx.Response.Headers["Stripe-Should-Retry"] = retry ? "true" : "false";
            await WriteErrorAsync(ctx, FakeStripeError.Injected(failure.Status));
            return;
        }

        if (!HttpMethods.IsPost(request.Method) || string.IsNullOrEmpty(key))
        {
            await next(ctx);
            return;
        }
        await WithIdempotencyAsync(ctx, next, key, form);
    }

    private FakeStripeError? Unauthorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.FirstOrDefault();
        if (string.IsNullOrEmpty(header))
            return new(401, "invalid_request_error",
                "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').");
        var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : "";
        if (given == ApiKey) return null;
        var shown = given.Length > 12 ? $"{given[..8]}***{given[^4..]}" : "***";
        return new(401, "invalid_request_error", $"Invalid API Key provided: {shown}", "api_key_invalid");
    }

    private async Task WithIdempotencyAsync(HttpContext ctx, RequestDelegate next, string key, List<KeyValuePair<string, string>> form)
    {
        // Parameters compared as a set: the order fields arrive in does not make a request different.
        var fingerprint = ctx.Request.Path + "?" + string.Join("&",
            form.Select(f => f.Key + "=" + f.Value).Order(StringComparer.Ordinal));
        var decision = _idempotency.Begin(key, fingerprint);
        switch (decision.Kind)
        {
            case DecisionKind.Mismatch:
                await WriteErrorAsync(ctx, new FakeStripeError(400, "idempotency_error",
                    $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."));
                return;
            case DecisionKind.InFlight:
                ctx.Response.Headers["Stripe-Should-Retry"] = "true";
                await WriteErrorAsync(ctx, new FakeStripeError(409, "invalid_request_error",
                    "There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through). Please try again later.",
                    "idempotency_key_in_use"));
                return;
            case DecisionKind.Replay:
                var stored = decision.Response!;
                ctx.Response.StatusCode = stored.Status;
                ctx.Response.ContentType = stored.ContentType;
                ctx.Response.Headers["Idempotent-Replayed"] = "true";
                await ctx.Response.Body.WriteAsync(stored.Body, ctx.RequestAborted);
                return;
        }

        var original = ctx.Response.Body;
        using var buffer = new MemoryStream();
        ctx.Response.Body = buffer;
        StoredResponse? keep = null;
        try
        {
            await next(ctx);
            if (ctx.Response.StatusCode is >= 200 and < 300)
                keep = new StoredResponse(ctx.Response.StatusCode, ctx.Response.ContentType ?? "application/json", buffer.ToArray());
        }
        finally
        {
            _idempotency.Complete(key, keep);
            ctx.Response.Body = original;
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, ctx.RequestAborted);
    }

    private static async Task WriteErrorAsync(HttpContext ctx, FakeStripeError error)
    {
        ctx.Response.StatusCode = error.Status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(error.ToJson(), Encoding.UTF8, ctx.RequestAborted);
    }
}
