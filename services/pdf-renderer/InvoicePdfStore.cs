using System.Data.Common;
using Billing.Pdf;
using Dapper;

namespace Billing.PdfRenderer;

/// <summary>The invoice, its lines and its account as the PDF needs them; and the pdf_* columns this service owns.</summary>
public sealed class InvoicePdfStore
{
    // due_at is a date; read as a timestamp so the mapping does not depend on the provider's DateOnly support.
    // Locks the invoice for the whole render: two renders of one invoice (a redelivery and an operator's
    // re-render) would otherwise store one file and record the other's checksum.
    private const string LockInvoiceSql = """
        select i.id, i.run_id, i.account_id, i.period, i.number, i.currency, i.subtotal_minor, i.tax_rate, i.tax_minor,
               i.total_minor, i.issued_at, i.due_at::timestamp as due_at, i.pdf_key, i.pdf_sha256, i.pdf_size, i.status, i.voided_at,
               a.name as account_name, a.billing_email, a.address::text as address_json
        from invoices i
        join accounts a on a.id = i.account_id
        where i.id = @id
        for update of i
        """;

    private const string LinesSql = """
        select line_no, kind, description, quantity, unit_price, amount_minor, parent_line_no
        from invoice_lines
        where invoice_id = @id
        order by line_no
        """;

    private const string CreditNotesSql = """
        select number, reason, issued_at, total_minor from credit_notes where invoice_id = @id order by issued_at, number
        """;

    // All in one round trip: the transaction begins, and the lines and credit notes are read under the invoice's lock
    // (the statements of a batch run in order); a redelivery that keeps its PDF reads a few rows it does not need
    // rather than paying a second round trip on every first render.
    private const string LoadSql = "begin;\n" + LockInvoiceSql + ";\n" + LinesSql + ";\n" + CreditNotesSql;

    // The update and the commit in one round trip.
    private const string MarkRenderedSql = """
        update invoices
        set pdf_key = @Key, pdf_sha256 = @Sha256, pdf_size = @Size, pdf_rendered_at = @At
        where id = @id;
        commit;
        """;

    /// <summary>
    /// Begins a transaction on <paramref name="conn"/> and reads the invoice, locked until <see cref="MarkRenderedAsync"/>
    /// commits, its lines and its credit notes; null when there is no such invoice. A connection closed before that
    /// commit (an error, a PDF kept) rolls the transaction back and releases the lock.
    /// </summary>
    public async Task<(InvoiceRow Invoice, IReadOnlyList<InvoiceLineRow> Lines, IReadOnlyList<CreditNoteRow> Credits)?> LockWithLinesAsync(
        DbConnection conn, Guid id, CancellationToken ct)
    {
        await using var results = await conn.QueryMultipleAsync(new CommandDefinition(LoadSql, new { id }, cancellationToken: ct));
        var invoice = await results.ReadSingleOrDefaultAsync<InvoiceRow>();
        var lines = (await results.ReadAsync<InvoiceLineRow>()).AsList();
        var credits = (await results.ReadAsync<CreditNoteRow>()).AsList();
        return invoice is null ? null : (invoice, lines, credits);
    }

    /// <summary>Records where the PDF is stored and commits the transaction <see cref="LockWithLinesAsync"/> began.</summary>
    public async Task MarkRenderedAsync(DbConnection conn, Guid id, PdfStoredObject stored, DateTimeOffset at, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition(MarkRenderedSql,
            new { id, stored.Key, stored.Sha256, stored.Size, At = at }, cancellationToken: ct));
}

public sealed record InvoiceRow
{
    public Guid Id { get; init; }
    public Guid? RunId { get; init; }
    public Guid AccountId { get; init; }
    public string Period { get; init; } = "";
    public string Number { get; init; } = "";
    public string Currency { get; init; } = "";
    public long SubtotalMinor { get; init; }
    public decimal TaxRate { get; init; }
    public long TaxMinor { get; init; }
    public long TotalMinor { get; init; }
    public DateTime IssuedAt { get; init; }
    public DateTime DueAt { get; init; }
    public string? PdfKey { get; init; }
    public string? PdfSha256 { get; init; }
    public long? PdfSize { get; init; }
    public string Status { get; init; } = "";
    public DateTime? VoidedAt { get; init; }
    public string AccountName { get; init; } = "";
    public string BillingEmail { get; init; } = "";
    public string? AddressJson { get; init; }
}

public sealed record InvoiceLineRow
{
    public int LineNo { get; init; }
    public string Kind { get; init; } = "";
    public string Description { get; init; } = "";
    public decimal Quantity { get; init; }
    public decimal UnitPrice { get; init; }
    public long AmountMinor { get; init; }
    public int? ParentLineNo { get; init; }
}

public sealed record CreditNoteRow
{
    public string Number { get; init; } = "";
    public string Reason { get; init; } = "";
    public DateTime IssuedAt { get; init; }
    public long TotalMinor { get; init; }
}
