using Billing.Pdf;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Billing.Vocabulary;

namespace Billing.PdfRenderer;

/// <summary>
/// Renders a credit note with the invoice layout (title CREDIT NOTE, its lines, tax and total, the invoice it credits)
/// and stores it at <c>{account_id}/{credit_note_id}.pdf</c>. The credit note row is locked for the render, and a
/// credit note already rendered and stored keeps its PDF: one PDF per credit note whatever the deliveries.
/// </summary>
public sealed class CreditNotePdfService(
    NpgsqlDataSource dataSource,
    InvoicePdfRenderer renderer,
    IPdfStorage storage,
    RenderGate gate,
    IOptions<IssuerOptions> issuer,
    TimeProvider time,
    ILogger<CreditNotePdfService> log)
{
    private const string LoadSql = """
        select c.id, c.invoice_id, c.account_id, c.number, c.reason, c.memo, trim(c.currency) as currency, c.subtotal_minor, i.tax_rate,
               c.tax_minor, c.total_minor, c.issued_at, c.pdf_key, c.pdf_sha256, c.pdf_size, i.number as invoice_number, i.period,
               a.name as account_name, a.billing_email, a.address::text as address_json
          from credit_notes c join invoices i on i.id = c.invoice_id join accounts a on a.id = c.account_id
         where c.id = @id
           for update of c;
        select line_no, description, quantity, unit_price, amount_minor from credit_note_lines where credit_note_id = @id order by line_no;
        """;

    private const string MarkRenderedSql = """
        update credit_notes set pdf_key = @Key, pdf_sha256 = @Sha256, pdf_size = @Size, pdf_rendered_at = @At where id = @id
        """;

    /// <returns>the stored PDF and the credit note's invoice and account; null when the credit note does not exist (yet).</returns>
    public async Task<(PdfStoredObject Stored, Guid InvoiceId, Guid AccountId)?> RenderAsync(Guid creditNoteId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var results = await conn.QueryMultipleAsync(new CommandDefinition(LoadSql, new { id = creditNoteId }, tx, cancellationToken: ct));
        var note = await results.ReadSingleOrDefaultAsync<CreditNotePdfRow>();
        if (note is null) return null;
        var lines = (await results.ReadAsync<CreditNoteLinePdfRow>()).AsList();
        var key = PdfKeys.For(note.AccountId, note.Id);
        if (note.PdfSha256 is not null && note.PdfKey == key && await storage.ExistsAsync(key, ct))
            return (new PdfStoredObject(key, note.PdfSize ?? 0, note.PdfSha256), note.InvoiceId, note.AccountId);

        var notes = new List<string> { $"Credits invoice {note.InvoiceNumber} of {note.Period.Trim()}. Reason: {note.Reason.Replace('_', ' ')}." };
        if (!string.IsNullOrWhiteSpace(note.Memo)) notes.Add(note.Memo.Trim());
        var issuedOn = DateOnly.FromDateTime(note.IssuedAt.ToUniversalTime());
        var document = new InvoiceDocument
        {
            Issuer = issuer.Value.ToIssuer(),
            BillTo = new InvoiceBillTo { Name = note.AccountName, AddressLines = InvoiceDocuments.AddressLines(note.AddressJson), Email = note.BillingEmail },
            Number = note.Number,
            IssueDate = issuedOn,
            DueDate = issuedOn,
            Period = note.Period.Trim(),
            Currency = note.Currency,
            Lines = lines.Select(l => new InvoiceLine
            {
                LineNo = l.LineNo, Kind = InvoiceLineKinds.Charge, Description = l.Description, Quantity = l.Quantity, UnitPrice = l.UnitPrice,
                AmountMinor = l.AmountMinor,
            }).ToList(),
            SubtotalMinor = note.SubtotalMinor,
            TaxRatePercent = note.TaxRate,
            TaxMinor = note.TaxMinor,
            TotalMinor = note.TotalMinor,
            Title = "CREDIT NOTE",
            DocumentName = "Credit note",
            CreditedInvoiceNumber = note.InvoiceNumber,
            Notes = notes,
            Footer = issuer.Value.Footer,
        };
        using var buffer = new MemoryStream();
        await gate.WaitAsync(ct);
        try
        {
            renderer.RenderTo(document, buffer);
        }
        finally
        {
            gate.Release();
        }
        var stored = await storage.PutAsync(key, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct);
        await conn.ExecuteAsync(new CommandDefinition(MarkRenderedSql, new { id = creditNoteId, stored.Key, stored.Sha256, stored.Size, At = time.GetUtcNow() },
            tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        log.LogInformation("Rendered credit note {CreditNoteId} ({Number}): {Key}, {Size} bytes", creditNoteId, note.Number, key, stored.Size);
        return (stored, note.InvoiceId, note.AccountId);
    }

    private sealed record CreditNotePdfRow
    {
        public Guid Id { get; init; }
        public Guid InvoiceId { get; init; }
        public Guid AccountId { get; init; }
        public string Number { get; init; } = "";
        public string Reason { get; init; } = "";
        public string? Memo { get; init; }
        public string Currency { get; init; } = "";
        public long SubtotalMinor { get; init; }
        public decimal TaxRate { get; init; }
        public long TaxMinor { get; init; }
        public long TotalMinor { get; init; }
        public DateTime IssuedAt { get; init; }
        public string? PdfKey { get; init; }
        public string? PdfSha256 { get; init; }
        public long? PdfSize { get; init; }
        public string InvoiceNumber { get; init; } = "";
        public string Period { get; init; } = "";
        public string AccountName { get; init; } = "";
        public string BillingEmail { get; init; } = "";
        public string? AddressJson { get; init; }
    }

    private sealed record CreditNoteLinePdfRow
    {
        public int LineNo { get; init; }
        public string Description { get; init; } = "";
        public decimal Quantity { get; init; }
        public decimal UnitPrice { get; init; }
        public long AmountMinor { get; init; }
    }
}
