using Microsoft.AspNetCore.Http.HttpResults;
using System.Security.Claims;
using Billing.AdminApi.Auth;
using Billing.Api.Contracts;

namespace Billing.AdminApi.Endpoints;

/// <summary>
/// <c>/api/keys</c>: API keys created, listed and revoked while admin-api runs (table <c>api_keys</c>). A new key works
/// and a revoked key answers 401 from the next request on; the bootstrap keys of <c>Auth__ApiKeys</c> are listed but
/// change only with the configuration.
/// </summary>
public static class KeyEndpoints
{
    public static void MapKeyEndpoints(this RouteGroupBuilder read, RouteGroupBuilder write)
    {
        var r = read.MapGroup("/api/keys").WithTags("Keys");
        var w = write.MapGroup("/api/keys").WithTags("Keys");
        r.MapGet("", ListAsync).WithSummary("The API keys: bootstrap keys, then active keys by name (revoked ones with ?revoked=true); never a secret");
        w.MapPost("", CreateAsync).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Create an API key; the answer holds the key once, only its hash is stored");
        w.MapDelete("/{id:guid}", RevokeAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Revoke an API key: its next request answers 401");
    }

    private static async Task<Results<Ok<ApiKeyList>, ValidationProblem>> ListAsync(string? revoked, ApiKeyAdmin keys, CancellationToken ct)
    {
        var withRevoked = false;
        if (revoked is not null && !bool.TryParse(revoked, out withRevoked))
            return Invalid("revoked", "must be true or false");
        var list = await keys.ListAsync(withRevoked, ct);
        return TypedResults.Ok(new ApiKeyList(list.Count, list));
    }

    private static async Task<Results<Created<ApiKeyCreated>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateApiKeyRequest? body, ApiKeyAdmin keys, ClaimsPrincipal user, CancellationToken ct)
    {
        var outcome = await keys.CreateAsync(body?.Name, body?.Role, user.Identity?.Name ?? "unknown", ct);
        if (outcome.Errors.Count > 0) return TypedResults.ValidationProblem(outcome.Errors);
        if (outcome.Conflict is { } c) return Conflict(c.Field, c.Title, c.Detail);
        var created = outcome.Created!;
        return TypedResults.Created($"/api/keys/{created.Key.Id}", created);
    }

    private static async Task<Results<Ok<ApiKeyInfo>, ProblemHttpResult>> RevokeAsync(Guid id, ApiKeyAdmin keys, ClaimsPrincipal user, CancellationToken ct)
    {
        var (key, revoked) = await keys.RevokeAsync(id, user.Identity?.Name ?? "unknown", ct);
        if (key is null) return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"no API key {id}");
        if (!revoked)
            return Conflict("id", $"key '{key.Name}' is already revoked",
                $"key '{key.Name}' ({id}) was revoked at {key.RevokedAt:yyyy-MM-dd HH:mm:ss} UTC by {key.RevokedBy}");
        return TypedResults.Ok(key);
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static ProblemHttpResult Conflict(string field, string title, string message) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: message,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });
}
