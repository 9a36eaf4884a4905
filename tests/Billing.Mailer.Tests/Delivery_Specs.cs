using System.Security.Cryptography;
using Billing.Mailer.Tests.Infrastructure;
using Billing.Testing;

namespace Billing.Mailer.Tests;

public sealed class When_an_invoice_pdf_is_rendered : IAsyncLifetime
{
    private MailerHarness h = null!;

    public async Task InitializeAsync() => h = await MailerHarness.StartAsync("mailsend");

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task Does_send_one_email_with_both_bodies_and_the_stored_pdf_attached()
    {
        var invoice = await h.InvoiceAsync("Jane.Doe@Example.org", totalMinor: 1_234_567);
        await h.PublishRenderedAsync(invoice);

        var received = await Wait.For(() => h.MessagesTo(invoice.Email), m => m.Count == 1, h);
        var mail = received.Single();
        Assert.Equal($"Invoice {invoice.Number} for 2026-10", mail.Subject);
        Assert.Contains("billing@example.com", mail.Header("From"));
        Assert.Contains("Example Billing", mail.Header("From"));
        Assert.Contains(MailerHarness.ReplyTo, mail.Header("Reply-To"));
        Assert.Contains("Jane.Doe@Example.org", mail.Header("To"));
        Assert.Equal($"<invoice-{invoice.InvoiceId:D}-1@example.com>", mail.MessageId);

        var text = mail.TextBody!;
        var html = mail.HtmlBody!;
        foreach (var body in new[] { text, html })
        {
            Assert.Contains(invoice.Number, body);
            Assert.Contains("2026-10", body);
            Assert.Contains("EUR 12,345.67", body);
            Assert.Contains("30 November 2026", body);
            Assert.Contains($"{MailerHarness.PdfBaseUrl}/{invoice.InvoiceId:D}.pdf", body);
        }
        Assert.Contains("<table>", html);
        Assert.DoesNotContain("<", text);

        var attachment = Assert.Single(mail.Attachments);
        Assert.Equal("application/pdf", attachment.MediaType);
        Assert.Equal($"invoice-{invoice.Number}.pdf", attachment.FileName);
        Assert.Equal(invoice.Sha256, Convert.ToHexStringLower(SHA256.HashData(attachment.Content)));

        // The mailbox holds the message as soon as the server stored it, a moment before the mailer records its 250.
        var delivery = Assert.Single(await Eventually.Until(() => h.Deliveries.ListAsync(invoice.InvoiceId, default),
            d => d.Count != 1 || d[0].State != "sending", TimeSpan.FromSeconds(30)));
        Assert.Equal(("initial", "accepted", 1, 1), (delivery.Reason, delivery.State, delivery.DeliveryNo, delivery.AttemptCount));
        Assert.Equal(invoice.Sha256, delivery.PdfSha256);
        Assert.Equal(mail.MessageId, delivery.MessageId);
        Assert.Equal("Jane.Doe@Example.org", delivery.Recipient);
        Assert.NotNull(delivery.AcceptedAt);
        Assert.Equal("sent", await h.EmailStatusAsync(invoice.InvoiceId));
        var emailed = await Eventually.UntilValue(() => h.Recorder.Emailed.Where(e => e.InvoiceId == invoice.InvoiceId).ToList(), e => e.Count == 1);
        Assert.Equal(("initial", mail.MessageId), (emailed[0].Reason, emailed[0].MessageId));
    }

    [Fact]
    public async Task Does_send_one_email_when_the_same_event_arrives_three_times()
    {
        var invoice = await h.InvoiceAsync();
        var messageId = Guid.NewGuid();
        // Three copies at once (as after a redelivery and a redrive), so two of them meet the first one in flight.
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => h.PublishRenderedAsync(invoice, messageId: messageId)));

        // Every copy publishes InvoiceEmailed (idempotent for its consumers); only the first sends.
        await Wait.For(() => h.Recorder.Emailed.Count(e => e.InvoiceId == invoice.InvoiceId), n => n == 3, h);
        Assert.Single(h.MessagesTo(invoice.Email));
        var delivery = Assert.Single(await h.Deliveries.ListAsync(invoice.InvoiceId, default));
        Assert.Equal(("accepted", 1), (delivery.State, delivery.AttemptCount));
        Assert.Single(h.Recorder.Emailed.Where(e => e.InvoiceId == invoice.InvoiceId).Select(e => e.MessageId).Distinct());
    }

    [Fact]
    public async Task Does_not_email_again_when_the_pdf_is_rerendered_after_the_email_was_accepted()
    {
        var invoice = await h.InvoiceAsync();
        await h.PublishRenderedAsync(invoice);
        await Wait.For(() => h.Recorder.Emailed.Count(e => e.InvoiceId == invoice.InvoiceId), n => n == 1, h);

        await h.PublishRenderedAsync(invoice, rerender: true);
        await Wait.For(() => h.Recorder.Emailed.Count(e => e.InvoiceId == invoice.InvoiceId), n => n == 2, h);
        Assert.Single(h.MessagesTo(invoice.Email));
        Assert.Single(await h.Deliveries.ListAsync(invoice.InvoiceId, default));
    }

    [Fact]
    public async Task Does_dead_letter_an_event_for_an_unknown_invoice_and_send_nothing()
    {
        var ghost = new SeededInvoice(Guid.NewGuid(), Guid.NewGuid(), "INV-NONE", "x/y.pdf", null, "nobody@example.org");
        await h.PublishRenderedAsync(ghost);
        var error = await Eventually.Until(() => h.Vhost.QueueAsync(MailerHarness.InputQueue + "_error"),
            q => q is { } v && v.TryGetProperty("messages", out var m) && m.GetInt32() == 1, TimeSpan.FromSeconds(60));
        Assert.NotNull(error);
        Assert.Empty(await h.Deliveries.ListAsync(ghost.InvoiceId, default));
    }
}
