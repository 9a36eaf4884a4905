using Billing.Contracts;
using Dapper;
using Npgsql;

namespace Billing.PdfRenderer.Tests;

public sealed record LineSpec(int LineNo, string Kind, string Description, decimal Quantity, decimal UnitPrice, long AmountMinor, int? Parent = null);

public sealed record SeededInvoice(Guid InvoiceId, Guid AccountId, Guid RunId, string Number, string Period, string AccountName,
    long SubtotalMinor, long TaxMinor, long TotalMinor, string Currency)
{
    public InvoiceFinalized Finalized() => new(InvoiceId, RunId, AccountId, Period, Number, TotalMinor, Currency);
}

/// <summary>
/// Writes invoices the way the invoice-generator does (plans, accounts, invoice_runs, invoices, invoice_lines), so the
/// renderer is tested against the real schema without depending on the generator.
/// </summary>
public static class TestInvoices
{
    private static int _sequence;

    /// <summary>Base fee 49.00, usage 125.00 explained by two tier lines, a charge of 300.00; 19% tax.</summary>
    public static readonly LineSpec[] Typical =
    [
        new(1, "base_fee", "Business plan, monthly base fee", 1, 49.00m, 4_900),
        new(2, "usage", "API requests, graduated pricing", 150_000, 0m, 12_500),
        new(3, "tier", "First 100000 requests", 100_000, 0.0010m, 10_000, 2),
        new(4, "tier", "Requests above 100000", 50_000, 0.0005m, 2_500, 2),
        new(5, "charge", "Managed service job: database migration", 2.5m, 120m, 30_000),
    ];

    public static async Task<SeededInvoice> InsertAsync(NpgsqlDataSource db, IReadOnlyList<LineSpec> lines,
        string accountName = "Acme Analytics Ltd", string currency = "EUR", decimal taxRate = 19m, long? subtotalOverride = null,
        string addressJson = """{"line1":"12 Example Street","line2":"Suite 4","city":"Paris","postal_code":"75001","country":"France"}""")
    {
        var n = Interlocked.Increment(ref _sequence);
        var planId = Guid.NewGuid();
        var accountId = Guid.NewGuid();
        var runId = Guid.NewGuid();
        var invoiceId = Guid.NewGuid();
        var period = "2026-10";
        var number = $"INV-2026-{n:D6}-{invoiceId.ToString()[..4].ToUpperInvariant()}";
        var subtotal = subtotalOverride ?? lines.Where(l => l.Kind != "tier").Sum(l => l.AmountMinor);
        var tax = (long)Math.Round(subtotal * taxRate / 100m, MidpointRounding.AwayFromZero);
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("insert into plans (id, code, name, currency, base_fee_minor) values (@planId, @code, 'Business', @currency, 4900)",
            new { planId, code = $"business-{planId:N}", currency }, tx);
        await conn.ExecuteAsync("""
            insert into accounts (id, name, billing_email, address, currency, plan_id, tax_rate)
            values (@accountId, @accountName, @email, @addressJson::jsonb, @currency, @planId, @taxRate)
            """, new { accountId, accountName, email = $"ap{n}@example.org", addressJson, currency, planId, taxRate }, tx);
        await conn.ExecuteAsync("insert into invoice_runs (id, period, status) values (@runId, @period, 'completed')", new { runId, period }, tx);
        await conn.ExecuteAsync("""
            insert into invoices (id, run_id, account_id, period, issuer, number, currency, subtotal_minor, tax_rate, tax_minor, total_minor, issued_at, due_at)
            values (@invoiceId, @runId, @accountId, @period, 'default', @number, @currency, @subtotal, @taxRate, @tax, @total,
                    '2026-11-01T06:00:00Z', '2026-11-15')
            """, new { invoiceId, runId, accountId, period, number, currency, subtotal, taxRate, tax, total = subtotal + tax }, tx);
        await conn.ExecuteAsync("""
            insert into invoice_lines (invoice_id, line_no, kind, description, quantity, unit_price, amount_minor, parent_line_no)
            values (@invoiceId, @LineNo, @Kind, @Description, @Quantity, @UnitPrice, @AmountMinor, @Parent)
            """, lines.Select(l => new { invoiceId, l.LineNo, l.Kind, l.Description, l.Quantity, l.UnitPrice, l.AmountMinor, l.Parent }), tx);
        await tx.CommitAsync();
        return new SeededInvoice(invoiceId, accountId, runId, number, period, accountName, subtotal, tax, subtotal + tax, currency);
    }

    public static async Task<PdfColumns> PdfColumnsAsync(NpgsqlDataSource db, Guid invoiceId)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.QuerySingleAsync<PdfColumns>(
            "select pdf_key, pdf_sha256, pdf_size, pdf_rendered_at from invoices where id = @invoiceId", new { invoiceId });
    }
}

public sealed record PdfColumns
{
    public string? PdfKey { get; init; }
    public string? PdfSha256 { get; init; }
    public long? PdfSize { get; init; }
    public DateTime? PdfRenderedAt { get; init; }
}
