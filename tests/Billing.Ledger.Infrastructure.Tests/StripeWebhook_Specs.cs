using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Billing.Contracts;
using Billing.Stripe;
using Billing.Testing;

namespace Billing.Ledger.Infrastructure.Tests;

public sealed class WebhookFixture : IAsyncLifetime
{
    public AccountingHost Host { get; private set; } = null!;
    public SeededInvoice Invoice { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // With the Stripe API: refunds and disputes are traced to their invoice through Stripe's invoice payments.
        Host = await AccountingHost.StartAsync("webhooks", withSync: false, stripeApi: true);
        Invoice = (await InvoiceSeeder.SeedAsync(Host.Data, 1, 1, ["USD"], 7, DateTimeOffset.UtcNow))[0];
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>Signature, parsing and de-duplication through the real admin-api process's endpoint.</summary>
public sealed class When_stripe_posts_webhooks(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    AccountingHost Host => fixture.Host;

    JsonObject PaidInvoice(long amount) => new()
    {
        ["id"] = "in_" + Guid.NewGuid().ToString("N")[..14],
        ["object"] = "invoice",
        ["status"] = "paid",
        ["currency"] = "usd",
        ["total"] = fixture.Invoice.TotalMinor,
        ["amount_paid"] = amount,
        ["metadata"] = new JsonObject { ["billing_invoice_id"] = fixture.Invoice.Id.ToString() },
    };

    static string EventId(string payload) => JsonDocument.Parse(payload).RootElement.GetProperty("id").GetString()!;

    async Task<long> StoredAsync(string eventId) => await Host.ScalarAsync("select count(*) from stripe_events where id = @id", ("id", eventId));

    async Task<JsonElement> BodyAsync(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task Does_accept_a_valid_signature_store_the_event_once_and_publish_the_payment()
    {
        using var client = Host.ApiClient(authenticated: false);
        var webhook = Host.Stripe.CreateWebhook("invoice.paid", PaidInvoice(fixture.Invoice.TotalMinor));
        var id = EventId(webhook.Payload);

        var first = await Host.PostWebhookAsync(client, webhook.Payload, webhook.SignatureHeader);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("posted", (await BodyAsync(first)).GetProperty("outcome").GetString());
        var payment = await Eventually.UntilValue(() => Host.Captured.Of<PaymentSucceeded>().SingleOrDefault(p => p.SourceEventId == id), p => p is not null);
        Assert.Equal(fixture.Invoice.Id, payment!.InvoiceId);
        Assert.Equal(fixture.Invoice.TotalMinor, payment.AmountMinor);
        Assert.Equal("USD", payment.Currency);

        var again = await Host.PostWebhookAsync(client, webhook.Payload, webhook.SignatureHeader);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("duplicate", (await BodyAsync(again)).GetProperty("outcome").GetString());
        Assert.Equal(1, await StoredAsync(id));
        Assert.Equal("posted", await OutcomeAsync(id));
        await Task.Delay(1000);
        Assert.Single(Host.Captured.Of<PaymentSucceeded>(), p => p.SourceEventId == id);
    }

    [Fact]
    public async Task Does_accept_an_event_signed_with_the_rotated_out_secret()
    {
        using var client = Host.ApiClient(authenticated: false);
        var webhook = Host.Stripe.CreateWebhook("invoice.paid", PaidInvoice(100));
        var signature = StripeWebhookSignature.Sign(webhook.Payload, AccountingHost.OldWebhookSecret, DateTimeOffset.UtcNow);
        var response = await Host.PostWebhookAsync(client, webhook.Payload, signature);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await StoredAsync(EventId(webhook.Payload)));
    }

    public static TheoryData<string> BadSignatures() => ["wrong_secret", "stale", "future", "tampered", "missing", "malformed"];

    [Theory]
    [MemberData(nameof(BadSignatures))]
    public async Task Does_refuse_a_bad_signature_with_400_and_store_nothing(string bad)
    {
        using var client = Host.ApiClient(authenticated: false);
        var webhook = Host.Stripe.CreateWebhook("invoice.paid", PaidInvoice(100));
        var payload = webhook.Payload;
        var signature = bad switch
        {
            "wrong_secret" => StripeWebhookSignature.Sign(payload, "whsec_not_ours", DateTimeOffset.UtcNow),
            "stale" => StripeWebhookSignature.Sign(payload, Host.Stripe.WebhookSecret, DateTimeOffset.UtcNow.AddSeconds(-301)),
            "future" => StripeWebhookSignature.Sign(payload, Host.Stripe.WebhookSecret, DateTimeOffset.UtcNow.AddMinutes(10)),
            "malformed" => "v1=abc",
            "missing" => null,
            _ => webhook.SignatureHeader,
        };
        if (bad == "tampered")
            payload = payload.Replace($"\"amount_paid\":100", "\"amount_paid\":1");
        Assert.NotEqual(bad == "tampered" ? webhook.Payload : "", payload);
        var errorsBefore = Host.Captured.Of<ErrorReported>().Count(e => e.ErrorType == "webhook_rejected");

        var response = await Host.PostWebhookAsync(client, payload, signature);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await BodyAsync(response)).GetProperty("errors").TryGetProperty("Stripe-Signature", out _));
        Assert.Equal(0, await StoredAsync(EventId(webhook.Payload)));
        await Eventually.UntilValue(() => Host.Captured.Of<ErrorReported>().Count(e => e.ErrorType == "webhook_rejected"), n => n > errorsBefore);
        Assert.DoesNotContain(Host.Captured.Of<PaymentSucceeded>(), p => p.SourceEventId == EventId(webhook.Payload));
    }

    [Fact]
    public async Task Does_refuse_a_signed_body_that_is_not_json()
    {
        using var client = Host.ApiClient(authenticated: false);
        const string payload = "id=evt_1&type=invoice.paid";
        var before = await Host.ScalarAsync("select count(*) from stripe_events");
        var response = await Host.PostWebhookAsync(client, payload, StripeWebhookSignature.Sign(payload, Host.Stripe.WebhookSecret, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await BodyAsync(response)).GetProperty("errors").TryGetProperty("body", out _));
        Assert.Equal(before, await Host.ScalarAsync("select count(*) from stripe_events"));
    }

    [Fact]
    public async Task Does_store_an_unknown_event_type_as_ignored()
    {
        using var client = Host.ApiClient(authenticated: false);
        var webhook = Host.Stripe.CreateWebhook("customer.created", new JsonObject { ["id"] = "cus_1", ["object"] = "customer" });
        var response = await Host.PostWebhookAsync(client, webhook.Payload, webhook.SignatureHeader);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ignored", await OutcomeAsync(EventId(webhook.Payload)));
    }

    [Fact]
    public async Task Does_store_an_event_for_an_unknown_invoice_as_rejected_with_its_reason()
    {
        using var client = Host.ApiClient(authenticated: false);
        var invoice = PaidInvoice(100);
        invoice["metadata"] = new JsonObject { ["billing_invoice_id"] = Guid.NewGuid().ToString() };
        var webhook = Host.Stripe.CreateWebhook("invoice.paid", invoice);
        var id = EventId(webhook.Payload);
        var response = await Host.PostWebhookAsync(client, webhook.Payload, webhook.SignatureHeader);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("rejected", await OutcomeAsync(id));
        Assert.Contains("no invoice of ours", await ReasonAsync(id));
        await Eventually.UntilValue(() => Host.Captured.Of<ErrorReported>().Any(e => e.BusinessKey == id && e.Code == "event_rejected"), found => found);
        Assert.DoesNotContain(Host.Captured.Of<PaymentSucceeded>(), p => p.SourceEventId == id);
    }

    [Fact]
    public async Task Does_find_the_invoice_by_its_stripe_invoice_id_without_metadata()
    {
        var stripeId = "in_lookup_" + Guid.NewGuid().ToString("N")[..8];
        await Host.ScalarAsync("update invoices set stripe_invoice_id = @s where id = @id", ("s", stripeId), ("id", fixture.Invoice.Id));
        using var client = Host.ApiClient(authenticated: false);
        var webhook = Host.Stripe.CreateWebhook("invoice.payment_failed", new JsonObject
        {
            ["id"] = stripeId, ["object"] = "invoice", ["status"] = "open", ["currency"] = "usd", ["metadata"] = new JsonObject(),
        });
        var id = EventId(webhook.Payload);
        var response = await Host.PostWebhookAsync(client, webhook.Payload, webhook.SignatureHeader);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var failed = await Eventually.UntilValue(() => Host.Captured.Of<PaymentFailed>().SingleOrDefault(p => p.SourceEventId == id), p => p is not null);
        Assert.Equal(fixture.Invoice.Id, failed!.InvoiceId);
    }

    [Fact]
    public async Task Does_reject_refunds_larger_than_the_charge()
    {
        using var client = Host.ApiClient(authenticated: false);
        var webhook = Host.Stripe.CreateWebhook("charge.refunded", new JsonObject
        {
            ["id"] = "ch_big", ["object"] = "charge", ["amount"] = 500, ["amount_refunded"] = 600, ["currency"] = "usd",
            ["metadata"] = new JsonObject { ["billing_invoice_id"] = fixture.Invoice.Id.ToString() },
            ["refunds"] = new JsonObject { ["data"] = new JsonArray(new JsonObject { ["id"] = "re_big", ["amount"] = 600 }) },
        });
        var id = EventId(webhook.Payload);
        var response = await Host.PostWebhookAsync(client, webhook.Payload, webhook.SignatureHeader);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("rejected", await OutcomeAsync(id));
        Assert.Contains("more than the charge", await ReasonAsync(id));
        await Task.Delay(500);
        Assert.DoesNotContain(Host.Captured.Of<RefundCreated>(), r => r.SourceEventId == id);
        Assert.Equal(0, await Host.ScalarAsync("select count(*) from journal_entries"));
    }

    async Task<string?> OutcomeAsync(string id) => await TextAsync("select outcome from stripe_events where id = @id", id);

    async Task<string?> ReasonAsync(string id) => await TextAsync("select reason from stripe_events where id = @id", id);

    async Task<string?> TextAsync(string sql, string id)
    {
        await using var conn = await Host.Data.OpenConnectionAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("id", id);
        return await cmd.ExecuteScalarAsync() as string;
    }
}
