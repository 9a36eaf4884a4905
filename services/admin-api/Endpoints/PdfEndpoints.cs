using Microsoft.AspNetCore.Http.HttpResults;
using System.Security.Claims;
using System.Text.Json;
using Billing.Api.Contracts;
using Billing.Contracts;
using Billing.Pdf;
using Dapper;
using MassTransit;
using Npgsql;

namespace Billing.AdminApi.Endpoints;

/// <summary>Invoice PDFs: re-render on request (operators) and download (viewers).</summary>
public static class PdfEndpoints
{
    private const string InvoicePdfSql = """
        select id, number, pdf_key
        from invoices
        where id = @id
        """;

    public static void MapPdfEndpoints(this RouteGroupBuilder read, RouteGroupBuilder write)
    {
        var r = read.MapGroup("").WithTags("PDFs");
        var w = write.MapGroup("").WithTags("PDFs");
        w.MapPost("/admin/render-pdf", RenderAsync).Body<RenderPdfRequest>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Render an invoice's PDF again");
        r.MapGet("/api/invoices/{id}/pdf", DownloadAsync).Produces(StatusCodes.Status200OK, contentType: "application/pdf").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The invoice as PDF");
    }

    private static async Task<Results<Accepted<RenderPdfQueued>, ValidationProblem, ProblemHttpResult>> RenderAsync(HttpRequest request, NpgsqlDataSource db, IPublishEndpoint bus,
        ClaimsPrincipal user, CancellationToken ct)
    {
        Guid invoiceId;
        string reason;
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            if (body.RootElement.ValueKind != JsonValueKind.Object
                || !body.RootElement.TryGetProperty("invoice_id", out var id)
                || id.ValueKind != JsonValueKind.String
                || !Guid.TryParse(id.GetString(), out invoiceId))
                return Invalid("invoice_id", "is required: the id (uuid) of the invoice to re-render");
            reason = body.RootElement.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String
                ? r.GetString()! : "operator re-render";
        }
        catch (JsonException)
        {
            return Invalid("body", "must be a JSON object like {\"invoice_id\": \"…\"}");
        }

        var invoice = await FindAsync(db, invoiceId, ct);
        if (invoice is null) return NotFound(invoiceId);
        // Published, not sent to a queue address: the renderer's quorum queue is bound to the message type.
        await bus.Publish(new RenderInvoicePdf(invoiceId, $"{reason} (by {user.Identity?.Name})"), ct);
        return TypedResults.Accepted($"/api/invoices/{invoiceId}/pdf", new RenderPdfQueued(invoiceId, invoice.Number, "queued"));
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> DownloadAsync(string id, NpgsqlDataSource db, IPdfStorage storage, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var invoiceId)) return Invalid("id", "must be an invoice id (uuid)");
        var invoice = await FindAsync(db, invoiceId, ct);
        if (invoice is null) return NotFound(invoiceId);
        if (invoice.PdfKey is null)
            return TypedResults.Problem(statusCode: 404, title: "PDF not rendered yet",
                detail: $"invoice {invoice.Number} has no PDF yet; it is rendered after finalization, or ask for one with POST /admin/render-pdf");
        var pdf = await storage.GetAsync(invoice.PdfKey, ct);
        if (pdf is null)
            return TypedResults.Problem(statusCode: 404, title: "PDF missing from storage",
                detail: $"invoice {invoice.Number} records PDF '{invoice.PdfKey}' but the storage has no such object; re-render it with POST /admin/render-pdf");
        return TypedResults.File(pdf, "application/pdf", $"{invoice.Number}.pdf");
    }

    private static async Task<InvoicePdfRow?> FindAsync(NpgsqlDataSource db, Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<InvoicePdfRow>(new CommandDefinition(InvoicePdfSql, new { id }, cancellationToken: ct));
    }

    private static ValidationProblem Invalid(string field, string problem) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [problem] });

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: 404, title: "invoice not found", detail: $"no invoice with id {id}");

    private sealed record InvoicePdfRow
    {
        public Guid Id { get; init; }
        public string Number { get; init; } = "";
        public string? PdfKey { get; init; }
    }
}
