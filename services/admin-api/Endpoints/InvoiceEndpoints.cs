using Microsoft.AspNetCore.Http.HttpResults;
using Billing.Api.Contracts;
using Billing.Invoicing.Infrastructure;
using Billing.Invoicing.Infrastructure.CreditNotes;
using Npgsql;

namespace Billing.AdminApi.Endpoints;

/// <summary>Stored invoices with their lines, totals, number, states and trace id.</summary>
public static class InvoiceEndpoints
{
    public static void MapInvoiceEndpoints(this RouteGroupBuilder read, RouteGroupBuilder write)
    {
        var r = read.MapGroup("/api/invoices").WithTags("Invoices");
        r.MapGet("", ListAsync).WithSummary("Invoices of a run or an account, in id order, a page at a time");
        r.MapGet("/{id:guid}", GetAsync).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("An invoice with its lines, totals, number, states, credit notes and trace id");
    }

    private static async Task<Results<Ok<InvoicePage>, ValidationProblem>> ListAsync(string? run_id, string? account_id, int? limit, string? after,
        NpgsqlDataSource db, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var runId = ParseId(run_id, "run_id", errors);
        var accountId = ParseId(account_id, "account_id", errors);
        var afterId = ParseId(after, "after", errors);
        if (limit is < 1 or > 1000) errors["limit"] = ["must be between 1 and 1000"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var queries = new InvoiceQueries(db);
        var rows = await queries.ListAsync(runId, accountId, afterId, limit ?? 100, ct);
        var (total, before) = await queries.CountAsync(runId, accountId, afterId, ct);
        return TypedResults.Ok(new InvoicePage(rows.Count, total, before, rows.Select(i => i.ToSummary()).ToList(),
            rows.Count == (limit ?? 100) && before + rows.Count < total ? rows[^1].Id : null));
    }

    private static async Task<Results<Ok<InvoiceDetail>, ProblemHttpResult>> GetAsync(Guid id, NpgsqlDataSource db, CancellationToken ct)
    {
        var found = await new InvoiceQueries(db).GetAsync(id, ct);
        if (found is null) return TypedResults.Problem(statusCode: 404, title: $"invoice {id} not found");
        var (i, lines) = found.Value;
        var credits = await new CreditNoteStore(db).ForInvoiceAsync(id, ct);
        return TypedResults.Ok(new InvoiceDetail(
            i.Id, i.RunId, i.AccountId, i.Period, i.Issuer, i.Number, i.Currency, i.SubtotalMinor, i.TaxRate, i.TaxMinor, i.TotalMinor,
            i.Status, i.IssuedAt, DateOnly.FromDateTime(i.DueAt), i.EmailStatus, i.EmailedAt,
            new PdfInfo(i.PdfKey, i.PdfSha256, i.PdfSize, i.PdfRenderedAt), i.SyncedAt, i.JournalEntryId, i.StripeCustomerId,
            i.StripeInvoiceId, i.StripePushedAt, i.TraceId, ContractMapping.Credits(credits, i.TotalMinor, i.Currency),
            lines.Select(l => l.ToResponse()).ToList()));
    }

    private static Guid? ParseId(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is null) return null;
        if (Guid.TryParse(value, out var id)) return id;
        errors[field] = [$"'{value}' is not an id (uuid)"];
        return null;
    }
}
