using Billing.Contracts;
using Billing.Mailer.Tests.Infrastructure;
using MassTransit;

namespace Billing.Mailer.Tests;

public sealed class When_an_operator_resends_an_invoice : IAsyncLifetime
{
    private MailerHarness h = null!;

    public async Task InitializeAsync() => h = await MailerHarness.StartAsync("mailresend");

    public async Task DisposeAsync() => await h.DisposeAsync();

    private async Task<SeededInvoice> EmailedInvoiceAsync()
    {
        var invoice = await h.InvoiceAsync();
        await h.PublishRenderedAsync(invoice);
        await Wait.For(() => h.Recorder.Emailed.Count(e => e.InvoiceId == invoice.InvoiceId), n => n == 1, h);
        return invoice;
    }

    [Fact]
    public async Task Does_send_exactly_one_more_email_per_request_even_when_the_request_is_redelivered()
    {
        var invoice = await EmailedInvoiceAsync();
        var request = new ResendInvoiceEmail(Guid.NewGuid(), invoice.InvoiceId, "ops");
        await h.Bus.Publish(request);
        await h.Bus.Publish(request);

        await Wait.For(() => h.Recorder.Emailed.Count(e => e.InvoiceId == invoice.InvoiceId && e.Reason == "resend"), n => n == 2, h);
        var mails = h.MessagesTo(invoice.Email);
        Assert.Equal(2, mails.Count);
        Assert.Equal([$"<invoice-{invoice.InvoiceId:D}-1@example.com>", $"<invoice-{invoice.InvoiceId:D}-2@example.com>"],
            mails.Select(m => m.MessageId ?? "").Order().ToArray());
        Assert.All(mails, m => Assert.Equal(invoice.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(m.Attachments.Single().Content))));
        var deliveries = await h.Deliveries.ListAsync(invoice.InvoiceId, default);
        Assert.Equal([("initial", "accepted"), ("resend", "accepted")], deliveries.Select(d => (d.Reason, d.State)).ToArray());
        Assert.Equal((request.RequestId, "ops"), (deliveries[1].RequestId!.Value, deliveries[1].RequestedBy!));

        // A second, different request is a second resend.
        await h.Bus.Publish(new ResendInvoiceEmail(Guid.NewGuid(), invoice.InvoiceId, "ops"));
        await Wait.For(() => h.MessagesTo(invoice.Email).Count, n => n == 3, h);
        Assert.Equal(3, (await h.Deliveries.ListAsync(invoice.InvoiceId, default)).Count);
    }

    [Fact]
    public async Task Does_rerender_a_missing_pdf_first_and_then_send_only_the_resend()
    {
        var invoice = await EmailedInvoiceAsync();
        await h.Storage.DeleteAsync(invoice.PdfKey, default);
        // Plays the renderer: stores a fresh PDF and announces it as a re-render.
        byte[]? rerendered = null;
        h.Recorder.Renderer = async (command, context) =>
        {
            rerendered = await h.StorePdfAsync(invoice.AccountId, command.InvoiceId, 99);
            await context.Publish(MailerHarness.Rendered(invoice with { Pdf = rerendered }, rerender: true));
        };

        await h.Bus.Publish(new ResendInvoiceEmail(Guid.NewGuid(), invoice.InvoiceId, "ops"));

        await Wait.For(() => h.MessagesTo(invoice.Email).Count, n => n == 2, h);
        var render = Assert.Single(h.Recorder.RenderRequests);
        Assert.Equal((invoice.InvoiceId, "resend"), (render.InvoiceId, render.Reason));
        var resent = h.MessagesTo(invoice.Email).Single(m => m.MessageId!.Contains("-2@"));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(rerendered!)),
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(resent.Attachments.Single().Content)));
        // The re-render event also reaches the initial delivery, which stays at one email.
        await Wait.For(() => h.Recorder.Emailed.Count(e => e.InvoiceId == invoice.InvoiceId && e.Reason == "initial"), n => n == 2, h);
        await Task.Delay(1000);
        Assert.Equal(2, h.MessagesTo(invoice.Email).Count);
        var deliveries = await h.Deliveries.ListAsync(invoice.InvoiceId, default);
        Assert.Equal([("initial", "accepted"), ("resend", "accepted")], deliveries.Select(d => (d.Reason, d.State)).ToArray());
    }

    [Fact]
    public async Task Does_accept_the_older_send_invoice_email_command_keyed_by_its_message_id()
    {
        var invoice = await EmailedInvoiceAsync();
        var messageId = NewId.NextGuid();
        await h.Bus.Publish(new SendInvoiceEmail(invoice.InvoiceId, "customer asked", "ops"), c => c.MessageId = messageId);
        await h.Bus.Publish(new SendInvoiceEmail(invoice.InvoiceId, "customer asked", "ops"), c => c.MessageId = messageId);

        await Wait.For(() => h.Recorder.Emailed.Count(e => e.InvoiceId == invoice.InvoiceId && e.Reason == "resend"), n => n == 2, h);
        Assert.Equal(2, h.MessagesTo(invoice.Email).Count);
    }

    [Fact]
    public async Task Does_dead_letter_a_resend_of_an_unknown_invoice_without_writing_anything()
    {
        var unknown = Guid.NewGuid();
        await h.Bus.Publish(new ResendInvoiceEmail(Guid.NewGuid(), unknown, "ops"));
        await Billing.Testing.Eventually.Until(() => h.Vhost.QueueAsync("resend-invoice-email_error"),
            q => q is { } v && v.TryGetProperty("messages", out var m) && m.GetInt32() == 1, TimeSpan.FromSeconds(60));
        Assert.Empty(await h.Deliveries.ListAsync(unknown, default));
    }
}
