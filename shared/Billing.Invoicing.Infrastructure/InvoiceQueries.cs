using Dapper;
using Npgsql;

namespace Billing.Invoicing.Infrastructure;

public sealed class InvoiceRow
{
    public Guid Id { get; init; }
    public Guid? RunId { get; init; }
    public Guid AccountId { get; init; }
    public string Period { get; init; } = "";
    public string Issuer { get; init; } = "";
    public string Number { get; init; } = "";
    public string Currency { get; init; } = "";
    public long SubtotalMinor { get; init; }
    public decimal TaxRate { get; init; }
    public long TaxMinor { get; init; }
    public long TotalMinor { get; init; }
    public string Status { get; init; } = "";
    public DateTime IssuedAt { get; init; }
    public DateTime DueAt { get; init; }
    public string? TraceId { get; init; }
    public string? StripeCustomerId { get; init; }
    public string? StripeInvoiceId { get; init; }
    public DateTime? StripePushedAt { get; init; }
    public string? PdfKey { get; init; }
    public string? PdfSha256 { get; init; }
    public long? PdfSize { get; init; }
    public DateTime? PdfRenderedAt { get; init; }
    public string EmailStatus { get; init; } = "";
    public DateTime? EmailedAt { get; init; }
    public DateTime? SyncedAt { get; init; }
    public Guid? JournalEntryId { get; init; }
}

public sealed class InvoiceLineRow
{
    public int LineNo { get; init; }
    public string Kind { get; init; } = "";
    public string? Component { get; init; }
    public string Description { get; init; } = "";
    public decimal Quantity { get; init; }
    public decimal UnitPrice { get; init; }
    public long AmountMinor { get; init; }
    public int? ParentLineNo { get; init; }
}

/// <summary>Reads of stored invoices for the admin API and the Stripe push; and the Stripe ids written back.</summary>
public sealed class InvoiceQueries(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        id, run_id, account_id, period, issuer, number, currency, subtotal_minor, tax_rate, tax_minor, total_minor, status,
        issued_at, due_at::timestamp as due_at, trace_id, stripe_customer_id, stripe_invoice_id, stripe_pushed_at, pdf_key, pdf_sha256,
        pdf_size, pdf_rendered_at, email_status, emailed_at, synced_at, journal_entry_id
        """;

    private const string GetSql = $"""
        select {Columns} from invoices where id = @id;
        select line_no, kind, component, description, quantity, unit_price, amount_minor, parent_line_no
        from invoice_lines where invoice_id = @id order by line_no;
        """;

    private const string ListSql = $"""
        select {Columns} from invoices
        where (@runId::uuid is null or run_id = @runId) and (@accountId::uuid is null or account_id = @accountId)
          and (@after::uuid is null or (number, id) > (select a.number, a.id from invoices a where a.id = @after))
        order by number, id limit @limit
        """;

    // How many the list's filter matches in all, and how many of them come before the page (for "showing 101–200 of 1,000").
    // The list is in number order; a page starts after the invoice named by @after.
    private const string CountSql = """
        select count(*)::int as Total,
               (count(*) filter (where @after::uuid is not null
                                   and (number, id) <= (select a.number, a.id from invoices a where a.id = @after)))::int as Before
        from invoices
        where (@runId::uuid is null or run_id = @runId) and (@accountId::uuid is null or account_id = @accountId)
        """;

    private const string AccountForStripeSql = "select name, billing_email, stripe_customer_id from accounts where id = @id";

    private const string SetCustomerSql = """
        update accounts set stripe_customer_id = @customer where id = @id and stripe_customer_id is null;
        select stripe_customer_id from accounts where id = @id;
        """;

    private const string SetStripeSql = """
        update invoices set stripe_customer_id = @customer, stripe_invoice_id = @invoice, stripe_pushed_at = coalesce(stripe_pushed_at, now())
        where id = @id
        """;

    public async Task<(InvoiceRow Invoice, IReadOnlyList<InvoiceLineRow> Lines)?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var multi = await conn.QueryMultipleAsync(new CommandDefinition(GetSql, new { id }, cancellationToken: ct));
        var invoice = await multi.ReadSingleOrDefaultAsync<InvoiceRow>();
        if (invoice is null) return null;
        return (invoice, (await multi.ReadAsync<InvoiceLineRow>()).AsList());
    }

    public async Task<IReadOnlyList<InvoiceRow>> ListAsync(Guid? runId, Guid? accountId, Guid? after, int limit, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<InvoiceRow>(new CommandDefinition(ListSql, new { runId, accountId, after, limit }, cancellationToken: ct))).AsList();
    }

    public async Task<(int Total, int Before)> CountAsync(Guid? runId, Guid? accountId, Guid? after, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.QuerySingleAsync<(int, int)>(new CommandDefinition(CountSql, new { runId, accountId, after }, cancellationToken: ct));
    }

    public async Task<(string Name, string Email, string? StripeCustomerId)> AccountForStripeAsync(Guid accountId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleAsync<(string, string, string?)>(new CommandDefinition(AccountForStripeSql, new { id = accountId }, cancellationToken: ct));
        return row;
    }

    /// <summary>Keeps the first customer stored for the account; returns the one stored.</summary>
    public async Task<string> SetAccountCustomerAsync(Guid accountId, string customer, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string>(new CommandDefinition(SetCustomerSql, new { id = accountId, customer }, cancellationToken: ct)) ?? customer;
    }

    public async Task SetStripeIdsAsync(Guid invoiceId, string customer, string invoice, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(SetStripeSql, new { id = invoiceId, customer, invoice }, cancellationToken: ct));
    }
}
