using Stripe;

namespace Billing.Stripe.Tests;

// This API version's charges name a payment intent and no invoice; the invoice payments of that intent name the invoice.
public sealed class When_a_payment_is_traced_to_its_invoice : StripeSpec
{
    [Fact]
    public async Task Does_find_the_invoice_a_payment_intent_paid()
    {
        var paid = await OpenInvoiceAsync("a", 4_200);
        var other = await OpenInvoiceAsync("b", 900);
        var payment = Server.MarkPaid(paid.Id);
        Server.MarkPaid(other.Id);

        var found = await Client.InvoicePaymentsOfPaymentIntentAsync(payment.PaymentIntent);

        var only = Assert.Single(found);
        Assert.Equal(paid.Id, only.Invoice);
        Assert.Equal(payment.PaymentIntent, only.PaymentIntent);
        Assert.Equal(4_200, only.AmountPaid);
        var request = Server.Requests[^1];
        Assert.Equal("/v1/invoice_payments", request.Path);
    }

    [Fact]
    public async Task Does_find_nothing_for_an_unknown_payment_intent()
    {
        Assert.Empty(await Client.InvoicePaymentsOfPaymentIntentAsync("pi_unknown"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public async Task Does_refuse_an_empty_payment_intent_without_calling(string intent)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Client.InvoicePaymentsOfPaymentIntentAsync(intent));
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task Does_send_refund_events_shaped_as_this_version_reads_them()
    {
        var paid = await OpenInvoiceAsync("a", 4_200);
        var payment = Server.MarkPaid(paid.Id);

        var webhook = Server.CreateRefundWebhook(payment, ("re_1", 1_000));

        var charge = Assert.IsType<Charge>(StripeWebhookEvent.Parse(webhook.Payload).Data.Object);
        Assert.Equal(payment.Charge, charge.Id);
        Assert.Equal(payment.PaymentIntent, charge.PaymentIntentId);
        Assert.Equal(1_000, Assert.Single(charge.Refunds.Data).Amount);
        Assert.DoesNotContain("\"invoice\"", webhook.Payload);
    }

    private async Task<StripeInvoice> OpenInvoiceAsync(string key, long amount)
    {
        var customer = await CreateCustomerAsync($"customer-{key}");
        var draft = await Client.CreateInvoiceAsync(customer.Id, "eur", null, $"invoice-{key}", DueDate);
        await Client.CreateInvoiceItemAsync(customer.Id, draft.Id, amount, "eur", null, null, $"item-{key}");
        return await Client.FinalizeInvoiceAsync(draft.Id, $"finalize-{key}");
    }
}
