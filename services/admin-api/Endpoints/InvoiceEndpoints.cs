using Billing.Runs;
using Billing.Runs.CreditNotes;
using Npgsql;

namespace Billing.AdminApi.Endpoints;

/// <summary>Stored invoices with their lines, totals, number, states and trace id.</summary>
public static class InvoiceEndpoints
{
    public static void MapInvoiceEndpoints(this RouteGroupBuilder read)
    {
        read.MapGet("/api/invoices", ListAsync);
        read.MapGet("/api/invoices/{id:guid}", GetAsync);
    }

    private static async Task<IResult> ListAsync(string? run_id, string? account_id, int? limit, string? after,
        NpgsqlDataSource db, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var runId = ParseId(run_id, "run_id", errors);
        var accountId = ParseId(account_id, "account_id", errors);
        var afterId = ParseId(after, "after", errors);
        if (limit is < 1 or > 1000) errors["limit"] = ["must be between 1 and 1000"];
        if (errors.Count > 0) return Results.ValidationProblem(errors);
        var queries = new InvoiceQueries(db);
        var rows = await queries.ListAsync(runId, accountId, afterId, limit ?? 100, ct);
        var (total, before) = await queries.CountAsync(runId, accountId, afterId, ct);
        return Results.Ok(new
        {
            count = rows.Count,
            total,
            offset = before,
            invoices = rows.Select(i => new
            {
                id = i.Id,
                run_id = i.RunId,
                account_id = i.AccountId,
                period = i.Period,
                number = i.Number,
                currency = i.Currency,
                total_minor = i.TotalMinor,
                status = i.Status,
                email_status = i.EmailStatus,
                synced_at = i.SyncedAt,
            }),
            next_after = rows.Count == (limit ?? 100) && before + rows.Count < total ? rows[^1].Id : (Guid?)null,
        });
    }

    private static async Task<IResult> GetAsync(Guid id, NpgsqlDataSource db, CancellationToken ct)
    {
        var found = await new InvoiceQueries(db).GetAsync(id, ct);
        if (found is null) return Results.Problem(statusCode: 404, title: $"invoice {id} not found");
        var (i, lines) = found.Value;
        var credits = await new CreditNoteStore(db).ForInvoiceAsync(id, ct);
        return Results.Ok(new
        {
            id = i.Id,
            run_id = i.RunId,
            account_id = i.AccountId,
            period = i.Period,
            issuer = i.Issuer,
            number = i.Number,
            currency = i.Currency,
            subtotal_minor = i.SubtotalMinor,
            tax_rate = i.TaxRate,
            tax_minor = i.TaxMinor,
            total_minor = i.TotalMinor,
            status = i.Status,
            issued_at = i.IssuedAt,
            due_at = DateOnly.FromDateTime(i.DueAt),
            email_status = i.EmailStatus,
            emailed_at = i.EmailedAt,
            pdf = new { key = i.PdfKey, sha256 = i.PdfSha256, size = i.PdfSize, rendered_at = i.PdfRenderedAt },
            synced_at = i.SyncedAt,
            journal_entry_id = i.JournalEntryId,
            stripe_customer_id = i.StripeCustomerId,
            stripe_invoice_id = i.StripeInvoiceId,
            stripe_pushed_at = i.StripePushedAt,
            trace_id = i.TraceId,
            credits = CreditNoteEndpoints.Summary(credits, i.TotalMinor, i.Currency),
            lines = lines.Select(l => new
            {
                line_no = l.LineNo,
                kind = l.Kind,
                component = l.Component,
                description = l.Description,
                quantity = l.Quantity,
                unit_price = l.UnitPrice,
                amount_minor = l.AmountMinor,
                parent_line_no = l.ParentLineNo,
            }),
        });
    }

    private static Guid? ParseId(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is null) return null;
        if (Guid.TryParse(value, out var id)) return id;
        errors[field] = [$"'{value}' is not an id (uuid)"];
        return null;
    }
}
