using Dapper;
using Npgsql;

namespace Billing.Mail;

/// <summary>One email delivery of an invoice as operators see it (table <c>email_deliveries</c>).</summary>
public sealed record EmailDelivery(
    Guid InvoiceId,
    int DeliveryNo,
    string Reason,
    string State,
    int AttemptCount,
    string? MessageId,
    string? PdfSha256,
    string? Recipient,
    DateTimeOffset? AcceptedAt,
    string? Error,
    Guid? RequestId,
    string? RequestedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Read side of the delivery records, shared by the admin API.</summary>
public sealed class EmailDeliveryQueries(NpgsqlDataSource dataSource)
{
    private const string ListSql = """
        select invoice_id, delivery_no, reason, state, attempt_count, message_id, pdf_sha256, recipient, accepted_at,
               error, request_id, requested_by, created_at, updated_at
        from email_deliveries where invoice_id = @invoiceId order by delivery_no
        """;

    private const string InvoiceExistsSql = "select exists(select 1 from invoices where id = @invoiceId)";

    private const string StatusSql = "select email_status, emailed_at from invoices where id = @invoiceId";

    public async Task<IReadOnlyList<EmailDelivery>> ListAsync(Guid invoiceId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(ListSql, new { invoiceId }, cancellationToken: ct));
        return rows.Select(r => r.ToDelivery()).ToList();
    }

    public async Task<bool> InvoiceExistsAsync(Guid invoiceId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition(InvoiceExistsSql, new { invoiceId }, cancellationToken: ct));
    }

    /// <summary>The invoice's email status and when it was last emailed, or null for an unknown invoice.</summary>
    public async Task<(string Status, DateTimeOffset? EmailedAt)?> EmailStatusAsync(Guid invoiceId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<(string, DateTime?)?>(new CommandDefinition(StatusSql, new { invoiceId }, cancellationToken: ct));
        return row is { } r ? (r.Item1, r.Item2 is { } at ? Utc(at) : null) : null;
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

    private sealed class Row
    {
        public Guid InvoiceId { get; init; }
        public int DeliveryNo { get; init; }
        public string Reason { get; init; } = "";
        public string State { get; init; } = "";
        public int AttemptCount { get; init; }
        public string? MessageId { get; init; }
        public string? PdfSha256 { get; init; }
        public string? Recipient { get; init; }
        public DateTime? AcceptedAt { get; init; }
        public string? Error { get; init; }
        public Guid? RequestId { get; init; }
        public string? RequestedBy { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }

        public EmailDelivery ToDelivery() => new(InvoiceId, DeliveryNo, Reason, State, AttemptCount, MessageId, PdfSha256, Recipient,
            AcceptedAt is { } a ? Utc(a) : null, Error, RequestId, RequestedBy, Utc(CreatedAt), Utc(UpdatedAt));
    }
}
