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

    public static void Map(RouteGroupBuilder read, RouteGroupBuilder write)
    {
        read.MapGet("/api/suppressions", ListSuppressionsAsync);
        write.MapPost("/api/suppressions", AddSuppressionAsync);
        write.MapDelete("/api/suppressions/{email}", RemoveSuppressionAsync);
        write.MapPost("/admin/resend-invoice", ResendInvoiceAsync);
        read.MapGet("/api/invoices/{id}/deliveries", ListDeliveriesAsync);
    }

    private static async Task<IResult> ListSuppressionsAsync(NpgsqlDataSource db, string? limit, string? offset, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        var (take, skip) = Paging.Parse(limit, offset, DefaultLimit, MaxLimit, problems);
        if (problems.Count > 0) return Results.ValidationProblem(problems);
        var store = new EmailSuppressionStore(db);
        var rows = await store.ListAsync(take, skip, ct);
        var total = await store.CountAsync(ct);
        return Results.Ok(new SuppressionPage(rows.Select(r => r.ToResponse()).ToList(), rows.Count, total, skip, Paging.Next(skip, rows.Count, total)));
    }

    private static async Task<IResult> AddSuppressionAsync(HttpRequest request, NpgsqlDataSource db, CancellationToken ct)
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
        if (errors.Count > 0) return Results.ValidationProblem(errors);

        var (suppression, created) = await new EmailSuppressionStore(db).AddAsync(email!, reason!, note, ct);
        return created
            ? Results.Created($"/api/suppressions/{Uri.EscapeDataString(suppression.Email)}", suppression.ToResponse())
            : Results.Ok(suppression.ToResponse());
    }

    private static async Task<IResult> RemoveSuppressionAsync(string email, NpgsqlDataSource db, CancellationToken ct)
    {
        if (!EmailAddresses.IsValid(email)) return Invalid("email", "must be a plain email address like name@example.com");
        return await new EmailSuppressionStore(db).RemoveAsync(email, ct)
            ? Results.NoContent()
            : Results.Problem(statusCode: 404, title: $"{EmailAddresses.Normalize(email)} is not on the suppression list");
    }

    /// <summary>
    /// 202: the mailer will send the invoice once more (re-rendering its PDF first if it is missing). A client that
    /// retries the POST passes the same <c>request_id</c> and still gets one email.
    /// </summary>
    private static async Task<IResult> ResendInvoiceAsync(HttpRequest request, NpgsqlDataSource db, IPublishEndpoint bus,
        ClaimsPrincipal user, CancellationToken ct)
    {
        if (await ReadObjectAsync(request, ct) is not { } body) return Invalid("body", "must be a JSON object");
        var errors = new Dictionary<string, string[]>();
        var invoiceId = Id(body, "invoice_id", required: true, errors);
        var requestId = Id(body, "request_id", required: false, errors) ?? Guid.NewGuid();
        if (errors.Count > 0) return Results.ValidationProblem(errors);
        if (!await new EmailDeliveryQueries(db).InvoiceExistsAsync(invoiceId!.Value, ct))
            return Results.Problem(statusCode: 404, title: $"invoice {invoiceId} does not exist");

        // Published: only the mailer consumes it, and its queue is bound whatever the endpoint is called.
        await bus.Publish(new ResendInvoiceEmail(requestId, invoiceId.Value, user.Identity?.Name ?? "unknown"), ct);
        return Results.Accepted($"/api/invoices/{invoiceId}/deliveries", new ResendAccepted(requestId, invoiceId.Value, "accepted"));
    }

    private static async Task<IResult> ListDeliveriesAsync(string id, NpgsqlDataSource db, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var invoiceId)) return Invalid("id", "must be an invoice id (a UUID)");
        var queries = new EmailDeliveryQueries(db);
        if (await queries.EmailStatusAsync(invoiceId, ct) is not { } status)
            return Results.Problem(statusCode: 404, title: $"invoice {invoiceId} does not exist");
        var deliveries = await queries.ListAsync(invoiceId, ct);
        return Results.Ok(new DeliveryList(invoiceId, status.Status, status.EmailedAt, deliveries.Select(d => d.ToResponse()).ToList()));
    }

    private static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

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
