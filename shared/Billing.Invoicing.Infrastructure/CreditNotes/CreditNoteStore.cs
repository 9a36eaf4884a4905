using System.Globalization;
using Billing.Contracts;
using Billing.Invoicing;
using Billing.Invoicing.CreditNotes;
using Dapper;
using Npgsql;

namespace Billing.Invoicing.Infrastructure.CreditNotes;

/// <summary>
/// Issues credit notes and voids invoices. Each runs in one transaction holding the invoice row's lock
/// (<c>for update</c>), so concurrent credit notes of one invoice are checked against each other (the credited total
/// never exceeds the invoice), and a void cannot cross a payment or a credit note. Numbers come from an UPDATE of
/// the issuer's credit-note sequence row, locked until commit: numbers are sequential, and a failed request gives
/// its number back (no gaps). The follow-up event is published (and confirmed by the broker) before the commit, so
/// a committed document always has its event; consumers treat a document they cannot find yet as worth a retry.
/// </summary>
public sealed class CreditNoteStore(NpgsqlDataSource dataSource)
{
    private const string LockInvoiceSql = """
        select id, account_id, issuer, number, currency, subtotal_minor, tax_rate, tax_minor, total_minor, status
          from invoices where id = @id for update
        """;

    private const string CreditedSql = """
        select coalesce(sum(subtotal_minor), 0)::bigint, coalesce(sum(tax_minor), 0)::bigint, count(*)::int
          from credit_notes where invoice_id = @id
        """;

    private const string EnsureSequenceSql = "insert into credit_note_sequences (issuer, prefix) values (@issuer, @prefix) on conflict (issuer) do nothing";

    private const string NextNumberSql = """
        update credit_note_sequences set next_value = next_value + 1 where issuer = @issuer
        returning prefix, next_value - 1
        """;

    private const string InsertSql = """
        insert into credit_notes (id, invoice_id, account_id, issuer, number, reason, memo, currency, subtotal_minor, tax_minor, total_minor,
                                  issued_at, requested_by, trace_id)
        values (@id, @invoiceId, @accountId, @issuer, @number, @reason, @memo, @currency, @subtotal, @tax, @total, @issuedAt, @requestedBy, @traceId);
        insert into credit_note_lines (credit_note_id, line_no, description, quantity, unit_price, amount_minor)
        select @id, l.line_no, l.description, l.quantity, l.unit_price, l.amount_minor
          from unnest(@lineNos, @descriptions, @quantities, @unitPrices, @amounts) as l(line_no, description, quantity, unit_price, amount_minor);
        """;

    private const string VoidSql = """
        update invoices set status = 'void', voided_at = @at, voided_by = @by where id = @id and status in ('open', 'uncollectible')
        """;

    private const string SettledSql = "update invoices set status = 'paid' where id = @id and status = 'open'";

    private const string Columns = """
        c.id, c.invoice_id, c.account_id, c.issuer, c.number, i.number as invoice_number, c.reason, c.memo, c.currency,
        c.subtotal_minor, i.tax_rate, c.tax_minor, c.total_minor, c.issued_at, c.requested_by, c.trace_id, c.pdf_key, c.pdf_sha256,
        c.pdf_size, c.pdf_rendered_at, c.email_status, c.emailed_at, c.journal_entry_id, c.synced_at, c.stripe_credit_note_id
        """;

    private const string GetSql = $"""
        select {Columns} from credit_notes c join invoices i on i.id = c.invoice_id where c.id = @id;
        select line_no, description, quantity, unit_price, amount_minor from credit_note_lines where credit_note_id = @id order by line_no;
        """;

    private const string ForInvoiceSql = $"""
        select {Columns} from credit_notes c join invoices i on i.id = c.invoice_id where c.invoice_id = @id order by c.issued_at, c.number
        """;

    /// <summary>Issues the credit note, publishing its event through <paramref name="publish"/> before the commit.</summary>
    /// <exception cref="DocumentNotFoundException">no such invoice</exception>
    /// <exception cref="InvoiceConflictException">the invoice is void</exception>
    /// <exception cref="CreditBeyondInvoiceException">more than is left to credit</exception>
    /// <exception cref="DomainValidationException">lines or amount that cannot make a credit note</exception>
    public async Task<CreditNoteRow> IssueAsync(Guid creditNoteId, Guid invoiceId, CreditNoteRequest request, string? requestedBy,
        string? traceId, DateTimeOffset now, Func<CreditNoteIssued, Task> publish, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var invoice = await conn.QuerySingleOrDefaultAsync<LockedInvoice>(new CommandDefinition(LockInvoiceSql, new { id = invoiceId }, tx, cancellationToken: ct))
            ?? throw new DocumentNotFoundException($"invoice {invoiceId} not found");
        if (invoice.Status == "void")
            throw new InvoiceConflictException("invoice_id", $"invoice {invoice.Number} is void; a void invoice cannot be credited");
        var (creditedSubtotal, creditedTax, _) = await conn.QuerySingleAsync<(long, long, int)>(
            new CommandDefinition(CreditedSql, new { id = invoiceId }, tx, cancellationToken: ct));
        var currency = invoice.Currency.Trim();
        var state = new InvoiceCreditState(invoice.Number, currency, invoice.TaxRate, invoice.SubtotalMinor, invoice.TaxMinor, invoice.TotalMinor,
            creditedSubtotal, creditedTax);

        var computed = request.Lines is { } lines
            ? CreditNoteCalculator.FromLines(state, lines)
            : CreditNoteCalculator.FromAmount(state, AmountInMinor(request, currency), $"Credit on invoice {invoice.Number} ({Reason(request.Reason)})");

        await conn.ExecuteAsync(new CommandDefinition(EnsureSequenceSql, new { issuer = invoice.Issuer, prefix = PrefixFor(invoice.Issuer) }, tx, cancellationToken: ct));
        var (prefix, n) = await conn.QuerySingleAsync<(string, long)>(new CommandDefinition(NextNumberSql, new { issuer = invoice.Issuer }, tx, cancellationToken: ct));
        var number = string.Create(CultureInfo.InvariantCulture, $"{prefix}-{now.UtcDateTime.Year:D4}-{n:D6}");
        await conn.ExecuteAsync(new CommandDefinition(InsertSql, new
        {
            id = creditNoteId, invoiceId, accountId = invoice.AccountId, issuer = invoice.Issuer, number, reason = request.Reason,
            memo = request.Memo, currency, subtotal = computed.SubtotalMinor, tax = computed.TaxMinor, total = computed.TotalMinor,
            issuedAt = now.UtcDateTime, requestedBy, traceId,
            lineNos = computed.Lines.Select(l => l.LineNo).ToArray(),
            descriptions = computed.Lines.Select(l => l.Description).ToArray(),
            quantities = computed.Lines.Select(l => l.Quantity).ToArray(),
            unitPrices = computed.Lines.Select(l => l.UnitPrice).ToArray(),
            amounts = computed.Lines.Select(l => l.AmountMinor).ToArray(),
        }, tx, cancellationToken: ct));
        // As Stripe does: an open invoice with nothing left to pay after its credit notes is paid.
        if (invoice.Status == "open" && computed.TotalMinor == state.RemainingTotalMinor)
            await conn.ExecuteAsync(new CommandDefinition(SettledSql, new { id = invoiceId }, tx, cancellationToken: ct));
        await publish(new CreditNoteIssued(creditNoteId, invoiceId, invoice.AccountId, number, computed.TotalMinor, computed.TaxMinor, currency));
        await tx.CommitAsync(ct);
        return new CreditNoteRow
        {
            Id = creditNoteId, InvoiceId = invoiceId, AccountId = invoice.AccountId, Issuer = invoice.Issuer, Number = number,
            InvoiceNumber = invoice.Number, Reason = request.Reason, Memo = request.Memo, Currency = currency,
            SubtotalMinor = computed.SubtotalMinor, TaxRate = invoice.TaxRate, TaxMinor = computed.TaxMinor, TotalMinor = computed.TotalMinor,
            IssuedAt = now.UtcDateTime, RequestedBy = requestedBy, TraceId = traceId, EmailStatus = EmailDeliveryStates.Pending,
        };
    }

    /// <summary>Voids an open (or uncollectible) invoice that has no credit notes, publishing the event before the commit.</summary>
    /// <exception cref="DocumentNotFoundException">no such invoice</exception>
    /// <exception cref="InvoiceConflictException">paid, already void, or credited</exception>
    public async Task<InvoiceVoided> VoidAsync(Guid invoiceId, string? voidedBy, DateTimeOffset now, Func<InvoiceVoided, Task> publish, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var invoice = await conn.QuerySingleOrDefaultAsync<LockedInvoice>(new CommandDefinition(LockInvoiceSql, new { id = invoiceId }, tx, cancellationToken: ct))
            ?? throw new DocumentNotFoundException($"invoice {invoiceId} not found");
        var currency = invoice.Currency.Trim();
        switch (invoice.Status)
        {
            case "paid":
                throw new InvoiceConflictException("invoice_id", $"invoice {invoice.Number} is paid and cannot be voided; credit it instead");
            case "void":
                throw new InvoiceConflictException("invoice_id", $"invoice {invoice.Number} is already void");
        }
        var (creditedSubtotal, creditedTax, count) = await conn.QuerySingleAsync<(long, long, int)>(
            new CommandDefinition(CreditedSql, new { id = invoiceId }, tx, cancellationToken: ct));
        if (count > 0)
            throw new InvoiceConflictException("invoice_id",
                $"invoice {invoice.Number} has {count} credit note(s) for {MoneyText.Format(creditedSubtotal + creditedTax, currency)} and cannot be voided; "
                + $"credit the remaining {MoneyText.Format(invoice.TotalMinor - creditedSubtotal - creditedTax, currency)} instead");
        await conn.ExecuteAsync(new CommandDefinition(VoidSql, new { id = invoiceId, at = now.UtcDateTime, by = voidedBy }, tx, cancellationToken: ct));
        var voided = new InvoiceVoided(invoiceId, invoice.AccountId, invoice.Number, invoice.TotalMinor, currency, now);
        await publish(voided);
        await tx.CommitAsync(ct);
        return voided;
    }

    public async Task<(CreditNoteRow CreditNote, IReadOnlyList<CreditNoteLineRow> Lines)?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var multi = await conn.QueryMultipleAsync(new CommandDefinition(GetSql, new { id }, cancellationToken: ct));
        var note = await multi.ReadSingleOrDefaultAsync<CreditNoteRow>();
        if (note is null) return null;
        return (note, (await multi.ReadAsync<CreditNoteLineRow>()).AsList());
    }

    public async Task<IReadOnlyList<CreditNoteRow>> ForInvoiceAsync(Guid invoiceId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<CreditNoteRow>(new CommandDefinition(ForInvoiceSql, new { id = invoiceId }, cancellationToken: ct))).AsList();
    }

    /// <summary>CN for the default issuer, otherwise the issuer's invoice prefix followed by -CN.</summary>
    public static string PrefixFor(string issuer) => issuer == "default" ? "CN" : InvoiceStore.PrefixFor(issuer) + "-CN";

    private static long AmountInMinor(CreditNoteRequest request, string currency)
    {
        if (request.AmountMinor is { } minor) return minor;
        var amount = request.Amount ?? throw new DomainValidationException("amount", "give lines or an amount");
        var exponent = InvoiceCurrency.Get(currency).Exponent;
        if (Money.DecimalPlaces(amount) > exponent)
            throw new DomainValidationException("amount", $"{amount.ToString(CultureInfo.InvariantCulture)} has more decimals than {currency} allows ({exponent})");
        if (amount <= 0) throw new DomainValidationException("amount", $"must be positive, got {amount.ToString(CultureInfo.InvariantCulture)}");
        try
        {
            return Money.RoundHalfAwayFromZero(amount, exponent);
        }
        catch (OverflowException)
        {
            throw new DomainValidationException("amount", "is too large");
        }
    }

    private static string Reason(string reason) => reason.Replace('_', ' ');

    private sealed class LockedInvoice
    {
        public Guid Id { get; init; }
        public Guid AccountId { get; init; }
        public string Issuer { get; init; } = "";
        public string Number { get; init; } = "";
        public string Currency { get; init; } = "";
        public long SubtotalMinor { get; init; }
        public decimal TaxRate { get; init; }
        public long TaxMinor { get; init; }
        public long TotalMinor { get; init; }
        public string Status { get; init; } = "";
    }
}
