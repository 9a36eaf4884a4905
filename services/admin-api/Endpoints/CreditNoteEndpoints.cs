using Microsoft.AspNetCore.Http.HttpResults;
using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Billing.Api.Contracts;
using Billing.Catalogue.Json;
using Billing.Invoicing;
using Billing.Invoicing.CreditNotes;
using Billing.Pdf;
using Billing.Invoicing.Infrastructure.CreditNotes;
using MassTransit;
using Npgsql;
using Billing.Vocabulary;

namespace Billing.AdminApi.Endpoints;

/// <summary>
/// Corrections of issued invoices: credit notes (part or all of an invoice given back, with their own number, PDF,
/// email, journal entry and Stripe credit note) and voids (an unpaid invoice cancelled). Malformed input is a 400
/// naming the field, an unknown invoice a 404, and a credit beyond the invoice, a void after payment or a credit of a
/// void invoice a 409; nothing is written on any error.
/// </summary>
public static class CreditNoteEndpoints
{
    private static readonly HashSet<string> Fields = ["reason", "memo", "lines", "amount", "amount_minor"];
    private static readonly HashSet<string> LineFields = ["description", "quantity", "unit_price"];

    public static void MapCreditNoteEndpoints(this RouteGroupBuilder read, RouteGroupBuilder write)
    {
        var r = read.MapGroup("").WithTags("Credit notes");
        var w = write.MapGroup("").WithTags("Credit notes");
        w.MapPost("/api/invoices/{id}/credit-notes", IssueAsync).Body<IssueCreditNoteRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Credit part or all of an issued invoice");
        w.MapPost("/api/invoices/{id}/void", VoidAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Void an unpaid invoice");
        r.MapGet("/api/credit-notes/{id}", GetAsync).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("A credit note with its lines");
        r.MapGet("/api/credit-notes/{id}/pdf", PdfAsync).Produces(StatusCodes.Status200OK, contentType: "application/pdf").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The credit note as PDF");
    }

    private static async Task<Results<Created<CreditNoteResponse>, ValidationProblem, ProblemHttpResult>> IssueAsync(string id, HttpRequest http, NpgsqlDataSource db, IPublishEndpoint bus,
        TimeProvider time, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var invoiceId)) return Invalid("id", $"'{id}' is not an invoice id (uuid)");
        var (request, errors) = await ParseAsync(http, ct);
        if (request is null) return TypedResults.ValidationProblem(errors);
        var creditNoteId = Guid.CreateVersion7();
        try
        {
            var note = await new CreditNoteStore(db).IssueAsync(creditNoteId, invoiceId, request, user.Identity?.Name,
                Activity.Current?.TraceId.ToHexString(), time.GetUtcNow(), m => bus.Publish(m, ct), ct);
            return TypedResults.Created($"/api/credit-notes/{note.Id}", note.ToResponse(lines: null));
        }
        catch (DocumentNotFoundException e)
        {
            return TypedResults.Problem(statusCode: 404, title: "invoice not found", detail: e.Message);
        }
        catch (InvoiceConflictException e)
        {
            return Conflict(e.Field, e.Message);
        }
        catch (CreditBeyondInvoiceException e)
        {
            return Conflict(e.Field, e.Message, new() { ["remaining_minor"] = e.RemainingMinor });
        }
        catch (DomainValidationException e)
        {
            return TypedResults.ValidationProblem(e.Errors.GroupBy(x => x.Field).ToDictionary(g => g.Key, g => g.Select(x => x.Message).ToArray()));
        }
    }

    /// <summary>Voiding twice answers 409 (already void): a void is a decision made once, not a state to set again.</summary>
    private static async Task<Results<Ok<InvoiceVoidedResponse>, ValidationProblem, ProblemHttpResult>> VoidAsync(string id, NpgsqlDataSource db, IPublishEndpoint bus, TimeProvider time,
        ClaimsPrincipal user, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var invoiceId)) return Invalid("id", $"'{id}' is not an invoice id (uuid)");
        try
        {
            var voided = await new CreditNoteStore(db).VoidAsync(invoiceId, user.Identity?.Name, time.GetUtcNow(), m => bus.Publish(m, ct), ct);
            return TypedResults.Ok(new InvoiceVoidedResponse(voided.InvoiceId, voided.Number, "void", voided.VoidedAt, voided.TotalMinor, voided.Currency));
        }
        catch (DocumentNotFoundException e)
        {
            return TypedResults.Problem(statusCode: 404, title: "invoice not found", detail: e.Message);
        }
        catch (InvoiceConflictException e)
        {
            return Conflict(e.Field, e.Message);
        }
    }

    private static async Task<Results<Ok<CreditNoteResponse>, ValidationProblem, ProblemHttpResult>> GetAsync(string id, NpgsqlDataSource db, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var creditNoteId)) return Invalid("id", $"'{id}' is not a credit note id (uuid)");
        var found = await new CreditNoteStore(db).GetAsync(creditNoteId, ct);
        if (found is null) return TypedResults.Problem(statusCode: 404, title: "credit note not found", detail: $"no credit note with id {creditNoteId}");
        return TypedResults.Ok(found.Value.CreditNote.ToResponse(found.Value.Lines));
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> PdfAsync(string id, NpgsqlDataSource db, IPdfStorage storage, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var creditNoteId)) return Invalid("id", $"'{id}' is not a credit note id (uuid)");
        var found = await new CreditNoteStore(db).GetAsync(creditNoteId, ct);
        if (found is null) return TypedResults.Problem(statusCode: 404, title: "credit note not found", detail: $"no credit note with id {creditNoteId}");
        var note = found.Value.CreditNote;
        if (note.PdfKey is null)
            return TypedResults.Problem(statusCode: 404, title: "PDF not rendered yet", detail: $"credit note {note.Number} has no PDF yet");
        var pdf = await storage.GetAsync(note.PdfKey, ct);
        if (pdf is null)
            return TypedResults.Problem(statusCode: 404, title: "PDF missing from storage", detail: $"credit note {note.Number} records PDF '{note.PdfKey}' but the storage has no such object");
        return TypedResults.File(pdf, "application/pdf", $"{note.Number}.pdf");
    }

    /// <summary>The request body, or the problems by field. Decimals are strings ("12.50"); JSON numbers are accepted too.</summary>
    internal static async Task<(CreditNoteRequest? Request, Dictionary<string, string[]> Errors)> ParseAsync(HttpRequest http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(http.Body, cancellationToken: ct);
        }
        catch (JsonException)
        {
            errors["body"] = ["must be a JSON object like {\"reason\":\"overcharge\",\"amount\":\"12.50\"}"];
            return (null, errors);
        }
        using var _ = doc;
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object like {\"reason\":\"overcharge\",\"amount\":\"12.50\"}"];
            return (null, errors);
        }
        foreach (var p in root.EnumerateObject())
            if (!Fields.Contains(p.Name)) errors[p.Name] = ["is not a field of a credit note; expected reason, memo, lines, amount or amount_minor"];

        string? reason = null;
        if (!root.TryGetProperty("reason", out var r) || r.ValueKind == JsonValueKind.Null)
            errors["reason"] = [$"is required: one of {string.Join(", ", CreditNoteReasons.All)}"];
        else if (r.ValueKind != JsonValueKind.String || !CreditNoteReasons.IsValid(r.GetString()))
            errors["reason"] = [$"{Shown(r)} is not a reason; expected one of {string.Join(", ", CreditNoteReasons.All)}"];
        else reason = r.GetString();

        string? memo = null;
        if (root.TryGetProperty("memo", out var m) && m.ValueKind != JsonValueKind.Null)
        {
            if (m.ValueKind != JsonValueKind.String) errors["memo"] = ["must be a string"];
            else if (m.GetString()!.Length > 1000) errors["memo"] = ["is longer than 1000 characters"];
            else memo = m.GetString();
        }

        var given = new[] { "lines", "amount", "amount_minor" }.Where(f => root.TryGetProperty(f, out var v) && v.ValueKind != JsonValueKind.Null).ToList();
        if (given.Count == 0) errors["amount"] = ["give either lines or an amount (amount \"12.50\" or amount_minor 1250)"];
        else if (given.Count > 1) errors[given[1]] = [$"give only one of lines, amount and amount_minor (got {string.Join(" and ", given)})"];

        List<(string, decimal, decimal)>? lines = null;
        if (root.TryGetProperty("lines", out var ls) && ls.ValueKind != JsonValueKind.Null)
        {
            if (ls.ValueKind != JsonValueKind.Array) errors["lines"] = ["must be an array of {description, quantity, unit_price}"];
            else if (ls.GetArrayLength() == 0) errors["lines"] = ["needs at least one line"];
            else
            {
                lines = [];
                var i = 0;
                foreach (var line in ls.EnumerateArray())
                {
                    var field = $"lines[{i++}]";
                    if (line.ValueKind != JsonValueKind.Object)
                    {
                        errors[field] = ["must be an object {description, quantity, unit_price}"];
                        continue;
                    }
                    foreach (var p in line.EnumerateObject())
                        if (!LineFields.Contains(p.Name)) errors[$"{field}.{p.Name}"] = ["is not a field of a line; expected description, quantity, unit_price"];
                    string description = "";
                    if (!line.TryGetProperty("description", out var d) || d.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(d.GetString()))
                        errors[$"{field}.description"] = ["is required: a non-empty string"];
                    else description = d.GetString()!;
                    var quantity = Decimal(line, "quantity", $"{field}.quantity", errors);
                    var unitPrice = Decimal(line, "unit_price", $"{field}.unit_price", errors);
                    lines.Add((description, quantity ?? 0, unitPrice ?? 0));
                }
            }
        }

        decimal? amount = null;
        if (root.TryGetProperty("amount", out var a) && a.ValueKind != JsonValueKind.Null)
            amount = Decimal(root, "amount", "amount", errors);
        long? amountMinor = null;
        if (root.TryGetProperty("amount_minor", out var am) && am.ValueKind != JsonValueKind.Null)
        {
            if (am.ValueKind != JsonValueKind.Number || !am.TryGetInt64(out var v)) errors["amount_minor"] = [$"{Shown(am)} is not an integer amount in minor units"];
            else if (v <= 0) errors["amount_minor"] = [$"must be positive, got {v}"];
            else amountMinor = v;
        }
        if (amount is <= 0) errors["amount"] = [$"must be positive, got {amount.Value.ToString(CultureInfo.InvariantCulture)}"];

        if (errors.Count > 0) return (null, errors);
        return (new CreditNoteRequest(reason!, memo, lines, amountMinor, amount), errors);
    }

    private static decimal? Decimal(JsonElement parent, string name, string field, Dictionary<string, string[]> errors)
    {
        if (!parent.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            errors[field] = ["is required: a decimal string such as \"12.50\""];
            return null;
        }
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out var n)) return n;
        if (v.ValueKind == JsonValueKind.String && DecimalText.TryParse(v.GetString(), out var s)) return s;
        errors[field] = [$"{Shown(v)} is not a decimal; expected a string such as \"12.50\""];
        return null;
    }

    private static string Shown(JsonElement v) => v.ValueKind == JsonValueKind.String ? $"'{v.GetString()}'" : v.GetRawText();

    private static ValidationProblem Invalid(string field, string problem) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [problem] });

    private static ProblemHttpResult Conflict(string field, string message, Dictionary<string, object?>? extra = null)
    {
        var extensions = extra ?? [];
        extensions["errors"] = new Dictionary<string, string[]> { [field] = [message] };
        return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflicts with the invoice's current state", detail: message, extensions: extensions);
    }
}
