using Billing.Testing;
using Billing.Mail;
using Billing.Mailer.Tests.Infrastructure;

namespace Billing.Mailer.Tests;

public sealed class When_an_invoice_email_must_not_be_sent : IAsyncLifetime
{
    private MailerHarness h = null!;

    public async Task InitializeAsync() => h = await MailerHarness.StartAsync("mailnot");

    public async Task DisposeAsync() => await h.DisposeAsync();

    public static TheoryData<string> BadAddresses() => new() { "not-an-address", "two@@example.org", "a@b", "Jane <jane@example.org>", "  " };

    [Theory]
    [MemberData(nameof(BadAddresses))]
    public async Task Does_record_an_invalid_address_and_send_nothing(string address)
    {
        var invoice = await h.InvoiceAsync(address);
        await h.PublishRenderedAsync(invoice);

        var notSent = await Wait.For(() => h.Recorder.NotSent.Where(n => n.InvoiceId == invoice.InvoiceId).ToList(), n => n.Count == 1, h);
        Assert.Equal("invalid_address", notSent[0].Status);
        await AssertRecordedOnceAsync(invoice, "invalid_address");
    }

    [Fact]
    public async Task Does_record_a_missing_pdf_and_send_nothing()
    {
        var invoice = await h.InvoiceAsync(storePdf: false);
        await h.PublishRenderedAsync(invoice);

        var notSent = await Wait.For(() => h.Recorder.NotSent.Where(n => n.InvoiceId == invoice.InvoiceId).ToList(), n => n.Count == 1, h);
        Assert.Equal("missing_pdf", notSent[0].Status);
        Assert.Contains(invoice.PdfKey, notSent[0].Reason);
        await AssertRecordedOnceAsync(invoice, "missing_pdf");
    }

    // The mailer reads the suppression in the batch that locks the invoice, for the address as SQL normalises it, and
    // asks again for its own normalisation when the two differ: a tab around the address, a non-ASCII capital.
    [Theory]
    [InlineData("bounced@example.org", "Bounced@Example.ORG")]
    [InlineData("bounced@example.org", "\tBounced@Example.ORG ")]
    [InlineData("jürgen.weiß@example.org", "JÜRGEN.Weiß@Example.org")]
    public async Task Does_record_a_suppressed_address_whatever_its_case_and_send_nothing(string suppressed, string billingEmail)
    {
        var suppressions = new EmailSuppressionStore(h.Db.DataSource);
        await suppressions.AddAsync(suppressed, "hard_bounce", "mailbox gone", default);
        var invoice = await h.InvoiceAsync(billingEmail);
        await h.PublishRenderedAsync(invoice);

        var notSent = await Wait.For(() => h.Recorder.NotSent.Where(n => n.InvoiceId == invoice.InvoiceId).ToList(), n => n.Count == 1, h);
        Assert.Equal("suppressed", notSent[0].Status);
        Assert.Contains("hard_bounce", notSent[0].Reason);
        await AssertRecordedOnceAsync(invoice, "suppressed");
    }

    [Fact]
    public async Task Does_email_a_missing_pdf_invoice_once_its_pdf_is_rendered()
    {
        var invoice = await h.InvoiceAsync(storePdf: false);
        await h.PublishRenderedAsync(invoice);
        await Wait.For(() => h.Recorder.NotSent.Count(n => n.InvoiceId == invoice.InvoiceId), n => n == 1, h);

        var pdf = await h.StorePdfAsync(invoice.AccountId, invoice.InvoiceId, 7);
        await h.PublishRenderedAsync(invoice with { Pdf = pdf }, rerender: true);
        await Wait.For(() => h.MessagesTo(invoice.Email).Count, n => n == 1, h);
        // The server has the message before the mailer records the send: the status follows within moments.
        await Eventually.Until(() => h.EmailStatusAsync(invoice.InvoiceId), s => s == "sent", TimeSpan.FromSeconds(30));
        Assert.Single(h.MessagesTo(invoice.Email));
        var delivery = Assert.Single(await h.Deliveries.ListAsync(invoice.InvoiceId, default));
        Assert.Equal("accepted", delivery.State);
    }

    [Fact]
    public async Task Does_record_a_non_ascii_address_the_server_cannot_take_as_failed_once_without_retrying()
    {
        // This test's SMTP server does not offer SMTPUTF8, which "jürgen@example.org" needs.
        var invoice = await h.InvoiceAsync("jürgen@example.org");
        await h.PublishRenderedAsync(invoice);

        var notSent = await Wait.For(() => h.Recorder.NotSent.Where(n => n.InvoiceId == invoice.InvoiceId).ToList(), n => n.Count == 1, h);
        Assert.Equal("failed", notSent[0].Status);
        Assert.Contains("SMTPUTF8", notSent[0].Reason);
        var delivery = Assert.Single(await h.Deliveries.ListAsync(invoice.InvoiceId, default));
        Assert.Equal(("failed", 1), (delivery.State, delivery.AttemptCount));
        Assert.Equal("failed", await h.EmailStatusAsync(invoice.InvoiceId));
        await Wait.For(() => h.Recorder.Errors.Count(e => e.InvoiceId == invoice.InvoiceId && e.Code == "failed"), n => n == 1, h);
        Assert.Empty(h.Smtp!.Messages());
        Assert.Null(await h.Vhost.QueueAsync(MailerHarness.InputQueue + "_error"));
    }

    private async Task AssertRecordedOnceAsync(SeededInvoice invoice, string state)
    {
        var error = await Wait.For(() => h.Recorder.Errors.Where(e => e.InvoiceId == invoice.InvoiceId).ToList(), e => e.Count == 1, h);
        Assert.Equal(("mailer", "invoice_email_not_sent", state), (error[0].Service, error[0].ErrorType, error[0].Code));
        var delivery = Assert.Single(await h.Deliveries.ListAsync(invoice.InvoiceId, default));
        Assert.Equal((state, 0, "initial"), (delivery.State, delivery.AttemptCount, delivery.Reason));
        Assert.False(string.IsNullOrEmpty(delivery.Error));
        Assert.Equal(state, await h.EmailStatusAsync(invoice.InvoiceId));
        Assert.Empty(h.Smtp!.Messages());
    }
}

public sealed class When_the_smtp_server_refuses_the_recipient_for_good : IAsyncLifetime
{
    private RejectingSmtpServer smtp = null!;
    private MailerHarness h = null!;

    public async Task InitializeAsync()
    {
        smtp = new RejectingSmtpServer();
        h = await MailerHarness.StartAsync("mail550", smtp.Port);
    }

    public async Task DisposeAsync()
    {
        await h.DisposeAsync();
        await smtp.DisposeAsync();
    }

    [Fact]
    public async Task Does_record_the_failure_once_and_not_retry()
    {
        var invoice = await h.InvoiceAsync("gone@example.org");
        await h.PublishRenderedAsync(invoice);

        var notSent = await Wait.For(() => h.Recorder.NotSent.Where(n => n.InvoiceId == invoice.InvoiceId).ToList(), n => n.Count == 1, h);
        Assert.Equal("failed", notSent[0].Status);
        Assert.Contains("550", notSent[0].Reason);
        var delivery = Assert.Single(await h.Deliveries.ListAsync(invoice.InvoiceId, default));
        Assert.Equal(("failed", 1), (delivery.State, delivery.AttemptCount));
        Assert.Contains("550", delivery.Error);
        Assert.Equal("failed", await h.EmailStatusAsync(invoice.InvoiceId));
        await Wait.For(() => h.Recorder.Errors.Count(e => e.InvoiceId == invoice.InvoiceId && e.Code == "failed"), n => n == 1, h);

        // The same event again (a redelivery) publishes the outcome again but does not talk to the server again.
        await h.PublishRenderedAsync(invoice);
        await Wait.For(() => h.Recorder.NotSent.Count(n => n.InvoiceId == invoice.InvoiceId), n => n == 2, h);
        Assert.Equal(1, smtp.RcptAttempts);
        Assert.Equal(0, smtp.DataCommands);
        Assert.Null(await h.Vhost.QueueAsync(MailerHarness.InputQueue + "_error"));
    }
}
