using Microsoft.AspNetCore.Http.HttpResults;
using System.Security.Claims;
using System.Text.Json;
using Billing.Api.Contracts;
using Billing.Contracts;
using Billing.Mail;
using MassTransit;
using Npgsql;

namespace Billing.AdminApi.Endpoints;

/// <summary>The suppression list, invoice email resends and delivery records.</summary>
public static class MailEndpoints
{
    public const int DefaultLimit = 500;
    public const int MaxLimit = 5000;

    public static void MapMailEndpoints(this RouteGroupBuilder read, RouteGroupBuilder write)
    {
        var r = read.MapGroup("").WithTags("Mail");
        var w = write.MapGroup("").WithTags("Mail");
        r.MapGet("/api/suppressions", ListSuppressionsAsync).WithSummary("Addresses no invoice email is sent to");
        w.MapPost("/api/suppressions", AddSuppressionAsync).Body<AddSuppressionRequest>()
            .WithSummary("Stop emailing an address (201; 200 when it was already listed)");
        w.MapDelete("/api/suppressions/{email}", RemoveSuppressionAsync).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Email an address again");
        w.MapPost("/admin/resend-invoice", ResendInvoiceAsync).Body<ResendInvoiceRequest>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Send an invoice's email once more");
        r.MapGet("/api/invoices/{id}/deliveries", ListDeliveriesAsync).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Every email sent of an invoice");
    }

    private static async Task<Results<Ok<SuppressionPage>, ValidationProblem>> ListSuppressionsAsync(NpgsqlDataSource db, string? limit, string? offset, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        var (take, skip) = Paging.Parse(limit, offset, DefaultLimit, MaxLimit, problems);
        if (problems.Count > 0) return TypedResults.ValidationProblem(problems);
        var store = new EmailSuppressionStore(db);
        var rows = await store.ListAsync(take, skip, ct);
        var total = await store.CountAsync(ct);
        return TypedResults.Ok(new SuppressionPage(rows.Select(r => r.ToResponse()).ToList(), rows.Count, total, skip, Paging.Next(skip, rows.Count, total)));
    }

    private static async Task<Results<Created<Suppression>, Ok<Suppression>, ValidationProblem>> AddSuppressionAsync(HttpRequest request, NpgsqlDataSource db, CancellationToken ct)
    {
        if (await ReadObjectAsync(request, ct) is not { } body) return Invalid("body", "must be a JSON object");
        var errors = new Dictionary<string, string[]>();
        var email = String(body, "email", errors);
        var reason = String(body, "reason", errors);
        var note = String(body, "note", errors);
        if (!errors.ContainsKey("email") && !EmailAddresses.IsValid(email))
            errors["email"] = [email is null ? "is required" : "must be a plain email address like name@example.com"];
        if (!errors.ContainsKey("reason") && !EmailSuppressionStore.Reasons.Contains(reason))
            errors["reason"] = [$"must be one of {string.Join(", ", EmailSuppressionStore.Reasons)}"];
        if (note is { Length: > 1000 }) errors["note"] = ["must be at most 1000 characters"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var (suppression, created) = await new EmailSuppressionStore(db).AddAsync(email!, reason!, note, ct);
        return created
            ? (Results<Created<Suppression>, Ok<Suppression>, ValidationProblem>)TypedResults.Created($"/api/suppressions/{Uri.EscapeDataString(suppression.Email)}", suppression.ToResponse())
            : TypedResults.Ok(suppression.ToResponse());
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RemoveSuppressionAsync(string email, NpgsqlDataSource db, CancellationToken ct)
    {
        if (!EmailAddresses.IsValid(email)) return Invalid("email", "must be a plain email address like name@example.com");
        return await new EmailSuppressionStore(db).RemoveAsync(email, ct)
            ? (Results<NoContent, ValidationProblem, ProblemHttpResult>)TypedResults.NoContent()
            : TypedResults.Problem(statusCode: 404, title: $"{EmailAddresses.Normalize(email)} is not on the suppression list");
    }

    /// <summary>
    /// 202: the mailer will send the invoice once more (re-rendering its PDF first if it is missing). A client that
    /// retries the POST passes the same <c>request_id</c> and still gets one email.
    /// </summary>
    private static async Task<Results<Accepted<ResendAccepted>, ValidationProblem, ProblemHttpResult>> ResendInvoiceAsync(HttpRequest request, NpgsqlDataSource db, IPublishEndpoint bus,
        ClaimsPrincipal user, CancellationToken ct)
    {
        if (await ReadObjectAsync(request, ct) is not { } body) return Invalid("body", "must be a JSON object");
        var errors = new Dictionary<string, string[]>();
        var invoiceId = Id(body, "invoice_id", required: true, errors);
        var requestId = Id(body, "request_id", required: false, errors) ?? Guid.NewGuid();
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (!await new EmailDeliveryQueries(db).InvoiceExistsAsync(invoiceId!.Value, ct))
            return TypedResults.Problem(statusCode: 404, title: $"invoice {invoiceId} does not exist");

        // Published: only the mailer consumes it, and its queue is bound whatever the endpoint is called.
        await bus.Publish(new ResendInvoiceEmail(requestId, invoiceId.Value, user.Identity?.Name ?? "unknown"), ct);
        return TypedResults.Accepted($"/api/invoices/{invoiceId}/deliveries", new ResendAccepted(requestId, invoiceId.Value, "accepted"));
    }

    private static async Task<Results<Ok<DeliveryList>, ValidationProblem, ProblemHttpResult>> ListDeliveriesAsync(string id, NpgsqlDataSource db, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var invoiceId)) return Invalid("id", "must be an invoice id (a UUID)");
        var queries = new EmailDeliveryQueries(db);
        if (await queries.EmailStatusAsync(invoiceId, ct) is not { } status)
            return TypedResults.Problem(statusCode: 404, title: $"invoice {invoiceId} does not exist");
        var deliveries = await queries.ListAsync(invoiceId, ct);
        return TypedResults.Ok(new DeliveryList(invoiceId, status.Status, status.EmailedAt, deliveries.Select(d => d.ToResponse()).ToList()));
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static async Task<JsonElement?> ReadObjectAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonElement body, string name, Dictionary<string, string[]> errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        errors[name] = ["must be a string"];
        return null;
    }

    private static Guid? Id(JsonElement body, string name, bool required, Dictionary<string, string[]> errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required) errors[name] = ["is required"];
            return null;
        }
        if (value.ValueKind == JsonValueKind.String && Guid.TryParse(value.GetString(), out var id) && id != Guid.Empty) return id;
        errors[name] = ["must be a UUID"];
        return null;
    }
}
