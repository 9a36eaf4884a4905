using System.Net;
using System.Text.Json;
using Billing.Contracts;
using Billing.Stripe;
using Billing.Testing;

namespace Billing.Ledger.Infrastructure.Tests;

/// <summary>
/// Refunds in the API version we read: the charge names its payment intent, not an invoice. admin-api asks Stripe which
/// invoice that payment intent paid (invoice payments) and books the refund on our invoice holding that Stripe invoice.
/// </summary>
public sealed class When_a_refund_names_only_its_payment_intent(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    AccountingHost Host => fixture.Host;

    [Fact]
    public async Task Does_book_the_refund_on_the_invoice_the_payment_intent_paid()
    {
        var payment = await PaidInStripeAsync(10_000);
        using var client = Host.ApiClient(authenticated: false);
        var refundId = "re_" + Guid.NewGuid().ToString("N")[..12];
        var webhook = Host.Stripe.CreateRefundWebhook(payment, (refundId, 250));
        var id = EventId(webhook.Payload);

        var response = await Host.PostWebhookAsync(client, webhook.Payload, webhook.SignatureHeader);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("posted", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("outcome").GetString());
        var refund = await Eventually.UntilValue(() => Host.Captured.Of<RefundCreated>().SingleOrDefault(r => r.SourceEventId == id), r => r is not null);
        Assert.Equal(fixture.Invoice.Id, refund!.InvoiceId);
        Assert.Equal(refundId, refund.RefundId);
        Assert.Equal(250, refund.AmountMinor);
        Assert.Equal("USD", refund.Currency);
        Assert.Contains(Host.Stripe.Requests, r => r.Path == "/v1/invoice_payments");
    }

    [Fact]
    public async Task Does_reject_a_refund_whose_payment_intent_paid_no_invoice_of_ours()
    {
        var payment = await PaidInStripeAsync(500, storeOnOurInvoice: false);
        using var client = Host.ApiClient(authenticated: false);
        var webhook = Host.Stripe.CreateRefundWebhook(payment, ("re_" + Guid.NewGuid().ToString("N")[..12], 100));
        var id = EventId(webhook.Payload);

        var response = await Host.PostWebhookAsync(client, webhook.Payload, webhook.SignatureHeader);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("rejected", body.GetProperty("outcome").GetString());
        Assert.Contains(payment.Invoice, body.GetProperty("reason").GetString());
        await Task.Delay(300);
        Assert.DoesNotContain(Host.Captured.Of<RefundCreated>(), r => r.SourceEventId == id);
    }

    [Fact]
    public async Task Does_reject_a_refund_whose_payment_intent_paid_nothing()
    {
        var payment = await PaidInStripeAsync(500, storeOnOurInvoice: false);
        using var client = Host.ApiClient(authenticated: false);
        var webhook = Host.Stripe.CreateRefundWebhook(payment with { PaymentIntent = "pi_never_paid_anything" }, ("re_x", 100));

        var response = await Host.PostWebhookAsync(client, webhook.Payload, webhook.SignatureHeader);

        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("rejected", body.GetProperty("outcome").GetString());
        Assert.Contains("pi_never_paid_anything paid 0 Stripe invoices", body.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData(AccountingHost.OldWebhookSecret)]
    [InlineData(null)]
    public async Task Does_store_an_event_signed_with_either_configured_secret(string? secret)
    {
        using var client = Host.ApiClient(authenticated: false);
        var webhook = Host.Stripe.CreateWebhook("customer.created", new() { ["id"] = "cus_1", ["object"] = "customer" }, secret: secret);

        var response = await Host.PostWebhookAsync(client, webhook.Payload, webhook.SignatureHeader);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await Host.ScalarAsync("select count(*) from stripe_events where id = @id", ("id", EventId(webhook.Payload))));
    }

    [Fact]
    public async Task Does_refuse_an_event_signed_with_an_unknown_secret_and_record_nothing()
    {
        using var client = Host.ApiClient(authenticated: false);
        var before = await Host.ScalarAsync("select count(*) from stripe_events");
        var webhook = Host.Stripe.CreateWebhook("invoice.paid", new() { ["id"] = "in_1", ["object"] = "invoice" }, secret: "whsec_unknown_9z8y7x");

        var response = await Host.PostWebhookAsync(client, webhook.Payload, webhook.SignatureHeader);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, await Host.ScalarAsync("select count(*) from stripe_events"));
    }

    [Fact]
    public async Task Does_refuse_an_event_of_another_api_version_and_record_nothing()
    {
        using var client = Host.ApiClient(authenticated: false);
        var before = await Host.ScalarAsync("select count(*) from stripe_events");
        var webhook = Host.Stripe.CreateWebhook("invoice.paid", new() { ["id"] = "in_1", ["object"] = "invoice" }, apiVersion: "2024-06-20");

        var response = await Host.PostWebhookAsync(client, webhook.Payload, webhook.SignatureHeader);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("2024-06-20", await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await Host.ScalarAsync("select count(*) from stripe_events"));
    }

    // An invoice pushed to the fake Stripe and paid there; by default its id is stored on our invoice, as the push does.
    async Task<Testing.FakeStripe.FakeInvoicePayment> PaidInStripeAsync(long amount, bool storeOnOurInvoice = true)
    {
        using var stripe = new StripeClient(Host.Stripe.ClientOptions());
        var key = Guid.NewGuid();
        var customer = await stripe.CreateCustomerAsync("Refund test", null, null, StripeIdempotencyKeys.Customer(key));
        var draft = await stripe.CreateInvoiceAsync(customer.Id, "usd", null, StripeIdempotencyKeys.Invoice(key), DateOnly.FromDateTime(DateTime.UtcNow.AddDays(30)));
        await stripe.CreateInvoiceItemAsync(customer.Id, draft.Id, amount, "usd", "Refund test", null, StripeIdempotencyKeys.Item(key, 1));
        var open = await stripe.FinalizeInvoiceAsync(draft.Id, StripeIdempotencyKeys.Finalize(key));
        if (storeOnOurInvoice)
            await Host.ScalarAsync("update invoices set stripe_invoice_id = @s where id = @id", ("s", open.Id), ("id", fixture.Invoice.Id));
        return Host.Stripe.MarkPaid(open.Id);
    }

    static string EventId(string payload) => JsonDocument.Parse(payload).RootElement.GetProperty("id").GetString()!;
}
