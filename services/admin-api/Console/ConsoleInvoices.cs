using Billing.Catalogue;
using Billing.Errors;
using Billing.Invoicing.Infrastructure;
using Billing.Invoicing.Infrastructure.CreditNotes;
using Billing.Ledger;
using Billing.Ledger.Infrastructure;
using Billing.Mail;
using Dapper;
using Npgsql;

namespace Billing.AdminApi.OperatorConsole;

/// <summary>What the invoice search was asked: free text, a run, a payment status, an email status; and its errors.</summary>
public sealed record InvoiceSearch(string? Q, string? Run, string? Status, string? Email, string? Account)
{
    public static readonly string[] PaymentStatuses = ["open", "paid", "uncollectible", "void"];
    public static readonly string[] EmailStatuses = ["pending", "sent", "suppressed", "invalid_address", "missing_pdf", "failed"];

    /// <summary>The problems of the search, by field (label first), each naming what is wrong.</summary>
    public IReadOnlyList<(string Field, string Message)> Problems()
    {
        var problems = new List<(string, string)>();
        if (Run is not null && !Guid.TryParse(Run, out _)) problems.Add(("run", $"Run: '{Run}' is not a run id (a UUID)."));
        if (Account is not null && !Guid.TryParse(Account, out _)) problems.Add(("account", $"Account: '{Account}' is not an account id (a UUID)."));
        if (Status is not null && !PaymentStatuses.Contains(Status))
            problems.Add(("status", $"Payment status: '{Status}' is none of {string.Join(", ", PaymentStatuses)}."));
        if (Email is not null && !EmailStatuses.Contains(Email))
            problems.Add(("email", $"Email status: '{Email}' is none of {string.Join(", ", EmailStatuses)}."));
        if (Q is { Length: > 200 }) problems.Add(("q", "Search: at most 200 characters."));
        return problems;
    }

    /// <summary>The query string of this search (for the pager's links), with <c>after</c> when given.</summary>
    public string Query(Guid? after = null)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) parts.Add($"{name}={Uri.EscapeDataString(value)}");
        }
        Add("q", Q);
        Add("run", Run);
        Add("account", Account);
        Add("status", Status);
        Add("email", Email);
        if (after is { } a) Add("after", a.ToString());
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }
}

/// <summary>One row of the invoice list.</summary>
public sealed record InvoiceListRow(
    Guid Id, string Number, string Period, Guid AccountId, string AccountName, Guid? RunId, string Currency, long TotalMinor,
    string Status, string EmailStatus, DateTime IssuedAt);

/// <summary>A page of invoices, newest first, with how many match in all and the key of the next page.</summary>
public sealed record InvoiceListPage(IReadOnlyList<InvoiceListRow> Rows, int Total, Guid? After, Guid? Next);

/// <summary>One row of the account list.</summary>
public sealed record AccountListRow(Guid Id, string Name, string BillingEmail, string Currency, string PlanCode, bool Active,
    DateTime BillingStartsOn, DateTime? BillingEndsOn);

public sealed record AccountListPage(IReadOnlyList<AccountListRow> Rows, int Total, Guid? After, Guid? Next);

/// <summary>Usage recorded for a metric in a period: records and their total quantity.</summary>
public sealed record UsageTotal(string Metric, int Records, decimal Quantity, int Late);

/// <summary>Everything the invoice page shows.</summary>
public sealed record InvoiceView(
    InvoiceRow Invoice,
    IReadOnlyList<InvoiceLineRow> Lines,
    Account? Account,
    IReadOnlyList<EmailDelivery> Deliveries,
    IReadOnlyList<JournalEntry> Journal,
    IReadOnlyList<CreditNoteRow> CreditNotes,
    string? TraceLink)
{
    /// <summary>A delivery asked for and not yet sent or failed: the deliveries follow live until none is.</summary>
    public bool DeliveryPending => Deliveries.Any(d => d.State is "pending" or "sending");
}

/// <summary>Everything the account page shows.</summary>
public sealed record AccountView(Account Account, string OpenPeriod, IReadOnlyList<UsageTotal> Usage, IReadOnlyList<InvoiceListRow> Invoices,
    int InvoiceCount);

/// <summary>
/// Invoices and accounts as the console lists them: searched and paged by key, so a page costs the same at the
/// first and the thousandth page. The detail pages read with the stores the API uses.
/// </summary>
public sealed class ConsoleInvoices(NpgsqlDataSource db, TraceLinks traceLinks, TimeProvider clock)
{
    public const int PageSize = 50;

    private const string InvoiceColumns = """
        i.id, i.number, i.period, i.account_id, a.name as account_name, i.run_id, i.currency, i.total_minor, i.status,
        i.email_status, i.issued_at
        """;

    /// <summary>
    /// The conditions of a search, only those asked for, so that each can use its index (run, account, number, the
    /// newest-first order). Free text matches an invoice number by its start and an account name anywhere in it (both
    /// ignoring case), or, when it is a UUID, an invoice, account or run id exactly.
    /// </summary>
    private static string Where(InvoiceSearch search, Guid? id)
    {
        var conditions = new List<string> { "true" };
        if (search.Run is not null) conditions.Add("i.run_id = @Run");
        if (search.Account is not null) conditions.Add("i.account_id = @Account");
        if (search.Status is not null) conditions.Add("i.status = @Status");
        if (search.Email is not null) conditions.Add("i.email_status = @Email");
        if (id is not null) conditions.Add("(i.id = @Id or i.account_id = @Id or i.run_id = @Id)");
        else if (!string.IsNullOrWhiteSpace(search.Q))
            // Two index-backed sets, not one OR over every invoice: numbers by their prefix, and the invoices of the
            // (few) accounts whose name matches.
            conditions.Add("""
                i.id in (select x.id from invoices x where upper(x.number) like upper(@Prefix) escape '\'
                         union all
                         select x.id from accounts n join invoices x on x.account_id = n.id where n.name ilike @Contains escape '\')
                """);
        return string.Join(" and ", conditions);
    }

    private static string InvoicePageSql(string where) => $"""
        select {InvoiceColumns}
        from invoices i join accounts a on a.id = i.account_id
        where {where}
          and (@After::uuid is null or (i.issued_at, i.id) < (select b.issued_at, b.id from invoices b where b.id = @After))
        order by i.issued_at desc, i.id desc
        limit @Take;
        select count(*)::int from invoices i where {where};
        """;

    private const string AccountFilter = """
        where (@Q::text is null or a.name ilike @Contains escape '\' or a.billing_email ilike @Contains escape '\'
               or a.external_ref = @Q or a.id = @Id)
        """;

    private const string AccountPageSql = $"""
        select a.id, a.name, a.billing_email, a.currency, p.code as plan_code, a.active,
               a.billing_starts_on::timestamp as billing_starts_on, a.billing_ends_on::timestamp as billing_ends_on
        from accounts a join plans p on p.id = a.plan_id
        {AccountFilter}
          and (@After::uuid is null or (a.name, a.id) > (select b.name, b.id from accounts b where b.id = @After))
        order by a.name, a.id
        limit @Take;
        select count(*)::int from accounts a {AccountFilter};
        """;

    private const string UsageSql = """
        select metric, count(*)::int as records, sum(quantity) as quantity, (count(*) filter (where late))::int as late
        from usage_records where account_id = @Id and period = @Period
        group by metric order by metric
        """;

    private const string AccountInvoicesSql = $"""
        select {InvoiceColumns}
        from invoices i join accounts a on a.id = i.account_id
        where i.account_id = @Id
        order by i.issued_at desc, i.id desc
        limit 24;
        select count(*)::int from invoices where account_id = @Id;
        """;

    private static string Like(string text) => text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");

    public async Task<InvoiceListPage> InvoicesAsync(InvoiceSearch search, Guid? after, CancellationToken ct)
    {
        var q = string.IsNullOrWhiteSpace(search.Q) ? null : search.Q.Trim();
        var args = new
        {
            Run = search.Run is null ? (Guid?)null : Guid.Parse(search.Run),
            Account = search.Account is null ? (Guid?)null : Guid.Parse(search.Account),
            search.Status,
            search.Email,
            Q = q,
            Prefix = q is null ? null : Like(q) + "%",
            Contains = q is null ? null : "%" + Like(q) + "%",
            Id = Guid.TryParse(q, out var id) ? id : (Guid?)null,
            After = after,
            Take = PageSize + 1,
        };
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var multi = await conn.QueryMultipleAsync(new CommandDefinition(InvoicePageSql(Where(search, args.Id)), args, cancellationToken: ct));
        var rows = (await multi.ReadAsync<InvoiceListRow>()).AsList();
        var total = await multi.ReadSingleAsync<int>();
        var more = rows.Count > PageSize;
        if (more) rows.RemoveAt(rows.Count - 1);
        return new InvoiceListPage(rows, total, after, more ? rows[^1].Id : null);
    }

    public async Task<AccountListPage> AccountsAsync(string? text, Guid? after, CancellationToken ct)
    {
        var q = string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        var args = new
        {
            Q = q,
            Contains = q is null ? null : "%" + Like(q) + "%",
            Id = Guid.TryParse(q, out var id) ? id : (Guid?)null,
            After = after,
            Take = PageSize + 1,
        };
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var multi = await conn.QueryMultipleAsync(new CommandDefinition(AccountPageSql, args, cancellationToken: ct));
        var rows = (await multi.ReadAsync<AccountListRow>()).AsList();
        var total = await multi.ReadSingleAsync<int>();
        var more = rows.Count > PageSize;
        if (more) rows.RemoveAt(rows.Count - 1);
        return new AccountListPage(rows, total, after, more ? rows[^1].Id : null);
    }

    public async Task<InvoiceView?> InvoiceAsync(Guid id, CancellationToken ct)
    {
        if (await new InvoiceQueries(db).GetAsync(id, ct) is not var (invoice, lines)) return null;
        var account = await new AccountStore(db).FindAsync(invoice.AccountId, ct);
        var deliveries = await new EmailDeliveryQueries(db).ListAsync(id, ct);
        var journal = await new LedgerStore(db).ForInvoiceAsync(id, ct);
        var credits = await new CreditNoteStore(db).ForInvoiceAsync(id, ct);
        return new InvoiceView(invoice, lines, account, deliveries, journal, credits, traceLinks.For(invoice.TraceId));
    }

    /// <summary>The invoice's email deliveries, for the part of its page that follows a resend live; null for an unknown invoice.</summary>
    public async Task<IReadOnlyList<EmailDelivery>?> DeliveriesAsync(Guid id, CancellationToken ct)
    {
        var queries = new EmailDeliveryQueries(db);
        return await queries.InvoiceExistsAsync(id, ct) ? await queries.ListAsync(id, ct) : null;
    }

    /// <summary>The invoice's number and where its PDF is recorded (null before the first render); null for an unknown invoice.</summary>
    public async Task<(string Number, string? PdfKey)?> PdfOfAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<(string, string?)?>(new CommandDefinition(
            "select number, pdf_key from invoices where id = @id", new { id }, cancellationToken: ct));
    }

    public Task<bool> ExistsAsync(Guid id, CancellationToken ct) => new EmailDeliveryQueries(db).InvoiceExistsAsync(id, ct);

    public async Task<AccountView?> AccountAsync(Guid id, CancellationToken ct)
    {
        if (await new AccountStore(db).FindAsync(id, ct) is not { } account) return null;
        var now = clock.GetUtcNow().UtcDateTime;
        var open = $"{now.Year:D4}-{now.Month:D2}";
        await using var conn = await db.OpenConnectionAsync(ct);
        var usage = (await conn.QueryAsync<UsageTotal>(new CommandDefinition(UsageSql, new { Id = id, Period = open }, cancellationToken: ct))).AsList();
        await using var multi = await conn.QueryMultipleAsync(new CommandDefinition(AccountInvoicesSql, new { Id = id }, cancellationToken: ct));
        var invoices = (await multi.ReadAsync<InvoiceListRow>()).AsList();
        var count = await multi.ReadSingleAsync<int>();
        return new AccountView(account, open, usage, invoices, count);
    }
}
