using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Billing.Contracts;
using Billing.Mail;
using Billing.Pdf;
using Billing.ServiceDefaults;
using MassTransit;
using Billing.Vocabulary;

namespace Billing.Mailer.Delivery;

/// <summary>
/// Sends each invoice email once. Per delivery (the initial email, or one resend request):
/// lock the invoice → a delivery already finished only publishes its outcome again → check the address, the
/// suppression list and the PDF → claim the row (state <c>sending</c>) → SMTP → mark <c>accepted</c> → publish.
/// <para>
/// The remaining window: if the process dies after the SMTP server accepted the message and before the row says
/// <c>accepted</c>, the redelivered message finds <c>sending</c> and sends again — at most one duplicate per crash,
/// carrying the same Message-ID. The window is one local database round trip, not cancellable by shutdown.
/// </para>
/// <para>
/// A permanent SMTP refusal (5xx) is recorded as <c>failed</c> and the message is acknowledged without throwing:
/// the same message would be refused again, and an operator resend is the way to try once the address is fixed.
/// Temporary failures (4xx, connection refused, timeout) throw, so the bus retries and finally dead-letters.
/// </para>
/// </summary>
public sealed class InvoiceMailer(
    MailerStore store,
    IPdfStorage storage,
    ISmtpSender smtp,
    InvoiceEmailComposer composer,
    ServiceInfo service,
    TimeProvider time,
    ILogger<InvoiceMailer> log)
{
    public const string Initial = "initial";
    public const string Resend = "resend";

    public async Task OnPdfRenderedAsync(ConsumeContext<InvoicePdfRendered> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var (session, state) = await store.OpenLockedForRenderedAsync(m.InvoiceId, ct);
        await using var _ = session;
        var invoice = state.Invoice ?? throw new ValidationException($"invoice {m.InvoiceId} does not exist; cannot email its PDF");

        // Resends that waited for this PDF go first; they were asked for explicitly. They do not touch delivery 1.
        foreach (var pending in state.Pending)
            await DeliverAsync(session, invoice, pending.DeliveryNo, Resend, m.StorageKey, context, last: false);

        var initial = state.Initial;
        // A re-render never mails an invoice again once its email was accepted; a missing PDF is worth another try.
        if (initial is not null && initial.State != EmailDeliveryStates.MissingPdf && await RepublishIfFinishedAsync(invoice, initial, context))
            return;
        await DeliverAsync(session, invoice, 1, Initial, m.StorageKey, context, last: true);
    }

    public async Task OnResendAsync(Guid requestId, Guid invoiceId, string requestedBy, ConsumeContext context)
    {
        var ct = context.CancellationToken;
        await using var session = await store.OpenLockedAsync(invoiceId, ct);
        var invoice = await session.LoadInvoiceAsync(ct)
                      ?? throw new ValidationException($"invoice {invoiceId} does not exist; cannot resend it");
        var row = await session.ByRequestAsync(requestId, ct) ?? await session.CreateResendAsync(requestId, requestedBy, ct);
        if (row.InvoiceId != invoiceId)
            throw new ValidationException($"resend request {requestId} was already used for invoice {row.InvoiceId}");
        if (await RepublishIfFinishedAsync(invoice, row, context)) return;

        var key = invoice.PdfKey ?? PdfKeys.For(invoice.AccountId, invoice.InvoiceId);
        if (row.State == EmailDeliveryStates.Pending && !await ExistsAsync(key, ct))
        {
            // The renderer answers with InvoicePdfRendered(Rerender: true), which fulfils this pending delivery.
            // Published rather than sent to a queue name: it reaches the renderer's endpoint whatever it is called.
            await context.Publish(new RenderInvoicePdf(invoiceId, "resend"), ct);
            log.LogInformation("Resend {DeliveryNo} of invoice {InvoiceId} waits for its PDF to be re-rendered", row.DeliveryNo, invoiceId);
            return;
        }
        await DeliverAsync(session, invoice, row.DeliveryNo, Resend, key, context, last: true);
    }

    /// <param name="last">The session's last delivery: an accepted email releases the invoice's lock in the round trip that records it.</param>
    private async Task DeliverAsync(MailerSession session, MailInvoice invoice, int deliveryNo, string reason, string pdfKey, ConsumeContext context, bool last)
    {
        var ct = context.CancellationToken;
        var recipient = invoice.BillingEmail.Trim();
        if (!EmailAddresses.IsValid(recipient))
        {
            await NotSentAsync(session, invoice, deliveryNo, reason, EmailDeliveryStates.InvalidAddress, recipient, null,
                recipient.Length == 0 ? "the account has no billing email address" : $"'{recipient}' is not a valid email address", context);
            return;
        }
        if (await session.SuppressionReasonAsync(EmailAddresses.Normalize(recipient), ct) is { } suppression)
        {
            await NotSentAsync(session, invoice, deliveryNo, reason, EmailDeliveryStates.Suppressed, recipient, null,
                $"{EmailAddresses.Normalize(recipient)} is on the suppression list ({suppression})", context);
            return;
        }
        var pdf = await ReadPdfAsync(pdfKey, ct);
        if (pdf is null)
        {
            await NotSentAsync(session, invoice, deliveryNo, reason, EmailDeliveryStates.MissingPdf, recipient, null, $"no PDF stored at '{pdfKey}'", context);
            return;
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(pdf));
        var messageId = composer.MessageId(invoice.InvoiceId, deliveryNo);
        await session.ClaimAsync(deliveryNo, reason, messageId, sha256, recipient, ct);

        using (var activity = service.ActivitySource.StartActivity("smtp send", ActivityKind.Client))
        {
            activity?.SetTag("billing.invoice_id", invoice.InvoiceId.ToString("D"));
            activity?.SetTag("billing.delivery_no", deliveryNo);
            activity?.SetTag("messaging.message_id", messageId);
            try
            {
                using var email = composer.Compose(new InvoiceEmail(invoice.InvoiceId, deliveryNo, recipient, invoice.AccountName,
                    invoice.Number, invoice.Period, invoice.TotalMinor, invoice.Currency, DateOnly.FromDateTime(invoice.DueAt), pdf), time.GetUtcNow());
                await smtp.SendAsync(email, ct);
            }
            catch (Exception ex) when (SmtpErrors.IsPermanent(ex))
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                await NotSentAsync(session, invoice, deliveryNo, reason, EmailDeliveryStates.Failed, recipient, sha256, SmtpErrors.Describe(ex), context);
                return;
            }
            catch (Exception ex)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                log.LogWarning("Invoice {InvoiceId} delivery {DeliveryNo}: temporary SMTP failure, will retry: {Error}",
                    invoice.InvoiceId, deliveryNo, SmtpErrors.Describe(ex));
                await session.RecordErrorAsync(deliveryNo, SmtpErrors.Describe(ex));
                throw;
            }
        }

        var acceptedAt = time.GetUtcNow();
        await session.AcceptAsync(deliveryNo, acceptedAt, release: last);
        log.LogInformation("Invoice {InvoiceId} delivery {DeliveryNo} ({Reason}) accepted for {Recipient} as {MessageId}",
            invoice.InvoiceId, deliveryNo, reason, recipient, messageId);
        await context.Publish(new InvoiceEmailed(invoice.InvoiceId, invoice.RunId ?? Guid.Empty, invoice.AccountId, messageId, acceptedAt, reason), ct);
        Billing.Metrics.BillingMetrics.Completed(Billing.Vocabulary.Stages.Email, context.ReceiveContext.ElapsedTime);
    }

    /// <summary>A finished delivery publishes its outcome again (consumers of the outcome are idempotent) and sends nothing.</summary>
    private async Task<bool> RepublishIfFinishedAsync(MailInvoice invoice, DeliveryRow row, ConsumeContext context)
    {
        switch (row.State)
        {
            case EmailDeliveryStates.Accepted:
                var acceptedAt = new DateTimeOffset(DateTime.SpecifyKind(row.AcceptedAt!.Value, DateTimeKind.Utc));
                await context.Publish(new InvoiceEmailed(invoice.InvoiceId, invoice.RunId ?? Guid.Empty, invoice.AccountId,
                    row.MessageId ?? "", acceptedAt, row.Reason), context.CancellationToken);
                return true;
            case EmailDeliveryStates.Suppressed or EmailDeliveryStates.InvalidAddress or EmailDeliveryStates.MissingPdf or EmailDeliveryStates.Failed:
                await PublishNotSentAsync(invoice, row.DeliveryNo, row.Reason, row.State, row.Recipient ?? "", row.Error ?? row.State, context);
                return true;
            default:
                return false; // pending or sending: not finished
        }
    }

    private async Task NotSentAsync(MailerSession session, MailInvoice invoice, int deliveryNo, string reason, string state,
        string recipient, string? sha256, string error, ConsumeContext context)
    {
        await session.NotSentAsync(deliveryNo, reason, state, recipient, sha256, error, context.CancellationToken);
        log.LogWarning("Invoice {InvoiceId} delivery {DeliveryNo} ({Reason}) not sent: {State}: {Error}",
            invoice.InvoiceId, deliveryNo, reason, state, error);
        await PublishNotSentAsync(invoice, deliveryNo, reason, state, recipient, error, context);
    }

    private async Task PublishNotSentAsync(MailInvoice invoice, int deliveryNo, string reason, string state, string recipient,
        string error, ConsumeContext context)
    {
        var ct = context.CancellationToken;
        var runId = invoice.RunId ?? Guid.Empty;
        await context.Publish(new InvoiceEmailNotSent(invoice.InvoiceId, runId, invoice.AccountId, state, error), ct);
        var payload = JsonSerializer.Serialize(new { invoice_number = invoice.Number, delivery_no = deliveryNo, reason, recipient });
        await context.Publish(new ErrorReported(service.Name, "invoice_email_not_sent", state, error, invoice.InvoiceId,
            invoice.AccountId, invoice.RunId, Activity.Current?.TraceId.ToHexString(), $"{invoice.InvoiceId:D}/{deliveryNo}",
            payload, time.GetUtcNow()), ct);
    }

    private async Task<byte[]?> ReadPdfAsync(string key, CancellationToken ct)
    {
        try
        {
            return await storage.GetAsync(key, ct);
        }
        catch (ArgumentException)
        {
            return null; // a key the storage refuses names no PDF
        }
    }

    private async Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        try
        {
            return await storage.ExistsAsync(key, ct);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
