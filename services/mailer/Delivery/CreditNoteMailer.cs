using System.Diagnostics;
using Billing.Contracts;
using Billing.Mail;
using Billing.Pdf;
using Dapper;
using MassTransit;
using Npgsql;
using Billing.Vocabulary;

namespace Billing.Mailer.Delivery;

/// <summary>
/// Emails each credit note once, with its PDF. The credit note row is locked (<c>for update</c>) for the whole
/// delivery, so a second copy of the message waits and then finds <c>sent</c> instead of sending again; the state is
/// written before the commit. The remaining window is the invoice mailer's: a crash after the SMTP server accepted the
/// message and before the commit sends it once more, with the same Message-ID. Suppressed or invalid addresses and a
/// permanent SMTP refusal are recorded (not retried); temporary SMTP failures throw, so the bus retries.
/// </summary>
public sealed class CreditNoteMailer(NpgsqlDataSource dataSource, IPdfStorage storage, ISmtpSender smtp, CreditNoteEmailComposer composer,
    EmailSuppressionStore suppressions, TimeProvider time, ILogger<CreditNoteMailer> log)
{
    private const string LockSql = """
        select c.id, c.number, i.number as invoice_number, c.reason, c.total_minor, trim(c.currency) as currency, c.email_status,
               a.name as account_name, a.billing_email
          from credit_notes c join invoices i on i.id = c.invoice_id join accounts a on a.id = c.account_id
         where c.id = @id for update of c
        """;

    private const string OutcomeSql = $"""
        update credit_notes set email_status = @state, email_message_id = @messageId, email_recipient = @recipient, email_error = @error,
               emailed_at = case when @state = '{EmailDeliveryStates.Sent}' then @at else emailed_at end
         where id = @id
        """;

    public async Task DeliverAsync(CreditNotePdfRendered m, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var note = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(LockSql, new { id = m.CreditNoteId }, tx, cancellationToken: ct))
            ?? throw new InvalidOperationException($"credit note {m.CreditNoteId} does not exist (yet)");
        if (note.EmailStatus is not (EmailDeliveryStates.Pending or EmailDeliveryStates.Sending or EmailDeliveryStates.MissingPdf))
        {
            log.LogInformation("Credit note {Number} already {State}; not sent again", note.Number, note.EmailStatus);
            return;
        }
        var recipient = note.BillingEmail.Trim();
        string? messageId = null;
        var (state, error) = (EmailDeliveryStates.Sent, (string?)null);
        if (!EmailAddresses.IsValid(recipient))
            (state, error) = (EmailDeliveryStates.InvalidAddress, $"'{recipient}' is not a valid email address");
        else if (await suppressions.FindAsync(EmailAddresses.Normalize(recipient), ct) is { } suppression)
            (state, error) = (EmailDeliveryStates.Suppressed, $"{EmailAddresses.Normalize(recipient)} is on the suppression list ({suppression.Reason})");
        else if (await storage.GetAsync(m.StorageKey, ct) is not { } pdf)
            (state, error) = (EmailDeliveryStates.MissingPdf, $"no PDF stored at '{m.StorageKey}'");
        else
        {
            messageId = composer.MessageId(note.Id);
            using var email = composer.Compose(new CreditNoteEmail(note.Id, recipient, note.AccountName, note.Number, note.InvoiceNumber, note.Reason,
                note.TotalMinor, note.Currency, pdf), time.GetUtcNow());
            try
            {
                await smtp.SendAsync(email, ct);
            }
            catch (Exception ex) when (SmtpErrors.IsPermanent(ex))
            {
                (state, error) = (EmailDeliveryStates.Failed, SmtpErrors.Describe(ex));
            }
        }
        await conn.ExecuteAsync(new CommandDefinition(OutcomeSql, new { id = note.Id, state, messageId, recipient, error, at = time.GetUtcNow() }, tx,
            cancellationToken: ct));
        await tx.CommitAsync(ct);
        if (error is null) log.LogInformation("Credit note {Number} emailed to {Recipient} as {MessageId}", note.Number, recipient, messageId);
        else log.LogWarning("Credit note {Number} not emailed: {State}: {Error} (trace {TraceId})", note.Number, state, error, Activity.Current?.TraceId);
    }

    private sealed record Row
    {
        public Guid Id { get; init; }
        public string Number { get; init; } = "";
        public string InvoiceNumber { get; init; } = "";
        public string Reason { get; init; } = "";
        public long TotalMinor { get; init; }
        public string Currency { get; init; } = "";
        public string EmailStatus { get; init; } = "";
        public string AccountName { get; init; } = "";
        public string BillingEmail { get; init; } = "";
    }
}
