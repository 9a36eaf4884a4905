using Dapper;
using Npgsql;
using Billing.Vocabulary;

namespace Billing.Mailer.Delivery;

/// <summary>What the mailer needs to know about an invoice and its recipient.</summary>
public sealed class MailInvoice
{
    public Guid InvoiceId { get; init; }
    public Guid? RunId { get; init; }
    public Guid AccountId { get; init; }
    public string Period { get; init; } = "";
    public string Number { get; init; } = "";
    public string Currency { get; init; } = "";
    public long TotalMinor { get; init; }
    public DateTime DueAt { get; init; }
    public string? PdfKey { get; init; }
    public string BillingEmail { get; init; } = "";
    public string AccountName { get; init; } = "";
}

public sealed class DeliveryRow
{
    public Guid InvoiceId { get; init; }
    public int DeliveryNo { get; init; }
    public string Reason { get; init; } = "";
    public string State { get; init; } = "";
    public int AttemptCount { get; init; }
    public string? MessageId { get; init; }
    public string? Recipient { get; init; }
    public DateTime? AcceptedAt { get; init; }
    public string? Error { get; init; }
    public Guid? RequestId { get; init; }
}

/// <summary>
/// Email deliveries of one invoice, read and written on a single connection that holds the invoice's advisory
/// lock for the whole delivery: a second copy of the same message (redelivery, redrive, a concurrent consumer)
/// waits, then finds the outcome of the first instead of sending again. A crashed process loses its connection and
/// with it the lock, so nothing stays locked.
/// </summary>
public sealed class MailerStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Locks the invoice and reads it, its pending resends, its initial delivery and whether its address is suppressed
    /// in one round trip: the statements of a batch run in order, and each read takes its snapshot after the lock is
    /// held, so it sees everything the previous holder committed.
    /// </summary>
    public async Task<(MailerSession Session, RenderedState State)> OpenLockedForRenderedAsync(Guid invoiceId, CancellationToken ct)
    {
        var conn = await dataSource.OpenConnectionAsync(ct);
        try
        {
            await using var reader = await conn.QueryMultipleAsync(new CommandDefinition(MailerSession.LockAndLoadSql,
                new { key = invoiceId.ToString("D"), invoiceId }, commandTimeout: MailerSession.LockWaitSeconds, cancellationToken: ct));
            await reader.ReadAsync<object>();
            var invoice = await reader.ReadSingleOrDefaultAsync<MailInvoice>();
            var deliveries = (await reader.ReadAsync<DeliveryRow>()).ToList();
            var suppression = await reader.ReadSingleOrDefaultAsync<SuppressionRow>();
            var state = new RenderedState(invoice,
                deliveries.Where(d => d.State == EmailDeliveryStates.Pending).OrderBy(d => d.DeliveryNo).ToList(),
                deliveries.FirstOrDefault(d => d.DeliveryNo == 1));
            var session = new MailerSession(conn, invoiceId);
            if (invoice is not null && suppression is not null) session.Knows(suppression);
            return (session, state);
        }
        catch
        {
            await conn.DisposeAsync(); // a connection that never got (or lost) the lock is closed, which releases it
            throw;
        }
    }

    public async Task<MailerSession> OpenLockedAsync(Guid invoiceId, CancellationToken ct)
    {
        var conn = await dataSource.OpenConnectionAsync(ct);
        try
        {
            await conn.ExecuteAsync(new CommandDefinition(MailerSession.LockSql, new { key = invoiceId.ToString("D") },
                commandTimeout: MailerSession.LockWaitSeconds, cancellationToken: ct));
            return new MailerSession(conn, invoiceId);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }
}

/// <summary>What a rendered PDF's delivery starts from, read in the same round trip that takes the lock.</summary>
public sealed record RenderedState(MailInvoice? Invoice, IReadOnlyList<DeliveryRow> Pending, DeliveryRow? Initial);

/// <summary>
/// The suppression lookup made in the locking batch: the key it looked up (the account's address lower-cased in the
/// C collation and trimmed of spaces) and the reason, null when that key is not suppressed.
/// </summary>
public sealed class SuppressionRow
{
    public string? LookedUp { get; init; }
    public string? Reason { get; init; }
}

public sealed class MailerSession(NpgsqlConnection conn, Guid invoiceId) : IAsyncDisposable
{
    private SuppressionRow? known;
    private bool released;

    /// <summary>The connection, as long as it holds the invoice's lock.</summary>
    private NpgsqlConnection Locked => released ? throw new InvalidOperationException($"the lock of invoice {invoiceId} was released") : conn;

    // Longer than the longest send another holder can be in (Smtp__TimeoutSeconds is at most 600).
    internal const int LockWaitSeconds = 900;
    internal const string LockSql = "select pg_advisory_lock(8008, hashtext(@key))";
    private const string UnlockSql = "select pg_advisory_unlock(8008, hashtext(@key))";

    private const string InvoiceSql = """
        select i.id as invoice_id, i.run_id, i.account_id, i.period, i.number, i.currency, i.total_minor, i.due_at::timestamp as due_at,
               i.pdf_key, a.billing_email, a.name as account_name
        from invoices i join accounts a on a.id = i.account_id
        where i.id = @invoiceId
        """;

    private const string Columns = "invoice_id, delivery_no, reason, state, attempt_count, message_id, recipient, accepted_at, error, request_id";

    // The suppression is looked up for the address as SQL can normalise it; the mailer uses the answer only when that
    // key equals its own normalisation (EmailAddresses.Normalize), and asks again otherwise (a tab or a non-ASCII letter).
    internal const string LockAndLoadSql = $"""
        {LockSql};
        {InvoiceSql};
        select {Columns} from email_deliveries where invoice_id = @invoiceId and (delivery_no = 1 or state = '{EmailDeliveryStates.Pending}');
        select k.looked_up, s.reason
        from (select lower(btrim(a.billing_email) collate "C") as looked_up
              from invoices i join accounts a on a.id = i.account_id where i.id = @invoiceId) k
        left join email_suppressions s on s.email = k.looked_up;
        """;

    private const string SuppressionSql = "select reason from email_suppressions where email = @email";

    private const string ByRequestSql = $"select {Columns} from email_deliveries where request_id = @requestId";

    // Delivery 1 is the initial email; resends take the next numbers even before the initial one exists.
    // The advisory lock serialises this per invoice, so max()+1 cannot race.
    private const string CreateResendSql = $"""
        insert into email_deliveries (invoice_id, delivery_no, reason, state, request_id, requested_by)
        select @invoiceId, coalesce(max(delivery_no), 1) + 1, 'resend', '{EmailDeliveryStates.Pending}', @requestId, @requestedBy
        from email_deliveries where invoice_id = @invoiceId
        returning {Columns}
        """;

    private const string ClaimSql = $"""
        insert into email_deliveries (invoice_id, delivery_no, reason, state, attempt_count, message_id, pdf_sha256, recipient)
        values (@invoiceId, @deliveryNo, @reason, '{EmailDeliveryStates.Sending}', 1, @messageId, @pdfSha256, @recipient)
        on conflict (invoice_id, delivery_no) do update
        set state = '{EmailDeliveryStates.Sending}', attempt_count = email_deliveries.attempt_count + 1, message_id = excluded.message_id,
            pdf_sha256 = excluded.pdf_sha256, recipient = excluded.recipient, error = null, updated_at = now()
        """;

    // One batch, one implicit transaction: the delivery and the invoice's status change together.
    private const string AcceptSql = $"""
        update email_deliveries set state = '{EmailDeliveryStates.Accepted}', accepted_at = @acceptedAt, error = null, updated_at = now()
        where invoice_id = @invoiceId and delivery_no = @deliveryNo;
        update invoices set email_status = '{EmailDeliveryStates.Sent}', emailed_at = @acceptedAt where id = @invoiceId;
        """;

    // The acceptance and the unlock in one round trip. The statements of a batch otherwise share one implicit
    // transaction that commits only at its end, so an unlock among them would let a copy of the message waiting for the
    // lock read the delivery as still sending and send it again. BEGIN makes that transaction explicit and COMMIT ends
    // it: the unlock after it runs once the acceptance is committed.
    internal const string AcceptAndReleaseSql = $"""
        begin;
        {AcceptSql}
        commit;
        {UnlockSql};
        """;

    // A resend that is not sent leaves the invoice's status alone: it describes the invoice's initial email or the last accepted one.
    private const string NotSentSql = $"""
        insert into email_deliveries (invoice_id, delivery_no, reason, state, recipient, pdf_sha256, error)
        values (@invoiceId, @deliveryNo, @reason, @state, @recipient, @pdfSha256, @error)
        on conflict (invoice_id, delivery_no) do update
        set state = excluded.state, recipient = excluded.recipient, pdf_sha256 = coalesce(excluded.pdf_sha256, email_deliveries.pdf_sha256),
            error = excluded.error, updated_at = now();
        update invoices set email_status = @state where id = @invoiceId and @reason = 'initial' and email_status <> '{EmailDeliveryStates.Sent}';
        """;

    private const string ErrorSql = """
        update email_deliveries set error = @error, updated_at = now() where invoice_id = @invoiceId and delivery_no = @deliveryNo
        """;

    internal void Knows(SuppressionRow row) => known = row;

    /// <summary>
    /// Why the (normalised) address is on the suppression list, or null: the answer of the locking batch when it looked
    /// up this very key, else asked on this connection rather than another one from the pool.
    /// </summary>
    public Task<string?> SuppressionReasonAsync(string normalizedEmail, CancellationToken ct) =>
        known is { LookedUp: { } key } && key == normalizedEmail
            ? Task.FromResult(known.Reason)
            : Locked.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(SuppressionSql, new { email = normalizedEmail }, cancellationToken: ct));

    public Task<MailInvoice?> LoadInvoiceAsync(CancellationToken ct) =>
        Locked.QuerySingleOrDefaultAsync<MailInvoice>(new CommandDefinition(InvoiceSql, new { invoiceId }, cancellationToken: ct));

    public Task<DeliveryRow?> ByRequestAsync(Guid requestId, CancellationToken ct) =>
        Locked.QuerySingleOrDefaultAsync<DeliveryRow>(new CommandDefinition(ByRequestSql, new { requestId }, cancellationToken: ct));

    public Task<DeliveryRow> CreateResendAsync(Guid requestId, string requestedBy, CancellationToken ct) =>
        Locked.QuerySingleAsync<DeliveryRow>(new CommandDefinition(CreateResendSql, new { invoiceId, requestId, requestedBy }, cancellationToken: ct));

    public Task ClaimAsync(int deliveryNo, string reason, string messageId, string pdfSha256, string recipient, CancellationToken ct) =>
        Locked.ExecuteAsync(new CommandDefinition(ClaimSql, new { invoiceId, deliveryNo, reason, messageId, pdfSha256, recipient }, cancellationToken: ct));

    /// <summary>
    /// Not cancellable: once the server accepted the email, recording it must not be abandoned halfway.
    /// With <paramref name="release"/> (the session's last delivery) the lock is released in the same round trip, after
    /// the acceptance is committed (see <see cref="AcceptAndReleaseSql"/>); otherwise <see cref="DisposeAsync"/> releases
    /// it. Once released, the session refuses further work.
    /// </summary>
    public async Task AcceptAsync(int deliveryNo, DateTimeOffset acceptedAt, bool release = false)
    {
        var at = acceptedAt.UtcDateTime;
        if (!release)
        {
            await Locked.ExecuteAsync(new CommandDefinition(AcceptSql, new { invoiceId, deliveryNo, acceptedAt = at }));
            return;
        }
        try
        {
            await Locked.ExecuteAsync(new CommandDefinition(AcceptAndReleaseSql, new { invoiceId, deliveryNo, acceptedAt = at, key = invoiceId.ToString("D") }));
        }
        catch (PostgresException)
        {
            // A statement failed inside the explicit transaction, which stays open and aborted (the rest of the batch
            // was skipped): it ends here, so that the unlock of DisposeAsync can run and no pooled connection keeps the lock.
            try { await conn.ExecuteAsync("rollback"); } catch (NpgsqlException) { }
            throw;
        }
        released = true;
    }

    public Task NotSentAsync(int deliveryNo, string reason, string state, string recipient, string? pdfSha256, string error, CancellationToken ct) =>
        Locked.ExecuteAsync(new CommandDefinition(NotSentSql, new { invoiceId, deliveryNo, reason, state, recipient, pdfSha256, error }, cancellationToken: ct));

    public Task RecordErrorAsync(int deliveryNo, string error) =>
        Locked.ExecuteAsync(new CommandDefinition(ErrorSql, new { invoiceId, deliveryNo, error }));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!released && conn.State == System.Data.ConnectionState.Open)
                await conn.ExecuteAsync(new CommandDefinition(UnlockSql, new { key = invoiceId.ToString("D") }));
        }
        catch (NpgsqlException)
        {
            // A broken connection is not returned to the pool, and the server dropped its locks with it.
        }
        finally
        {
            await conn.DisposeAsync();
        }
    }
}
