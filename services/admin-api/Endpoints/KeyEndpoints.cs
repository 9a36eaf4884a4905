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

    private static async Task<Results<Ok<ApiKeyList>, ValidationProblem>> ListAsync(string? revoked, ApiKeyStore store, ApiKeyRegistry registry, CancellationToken ct)
    {
        var withRevoked = false;
        if (revoked is not null && !bool.TryParse(revoked, out withRevoked))
            return Invalid("revoked", "must be true or false");
        var keys = registry.Keys.Select(k => new ApiKeyInfo(null, k.Name, k.Role, "configuration", null, null, null, null, null))
            .Concat((await store.ListAsync(withRevoked, ct)).Select(Info))
            .ToList();
        return TypedResults.Ok(new ApiKeyList(keys.Count, keys));
    }

    private static async Task<Results<Created<ApiKeyCreated>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateApiKeyRequest? body, ApiKeyStore store, ApiKeyRegistry registry, ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var name = body?.Name?.Trim();
        if (string.IsNullOrEmpty(name))
            errors["name"] = ["is required: who or what uses the key, e.g. billing-ops"];
        else if (name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            errors["name"] = [$"'{name}' must be 1 to 64 letters, digits, - or _"];
        var role = body?.Role?.Trim() ?? Roles.Viewer;
        if (!Roles.All.Contains(role))
            errors["role"] = [$"'{role}' is not a role; roles are {string.Join(", ", Roles.All)}"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        if (registry.Keys.Any(k => k.Name == name))
            return Conflict("name", $"a key named '{name}' is configured",
                $"'{name}' is the name of a key in Auth__ApiKeys; choose another name");
        try
        {
            var (key, secret) = await store.CreateAsync(name!, role, user.Identity?.Name ?? "unknown", ct);
            return TypedResults.Created($"/api/keys/{key.Id}", new ApiKeyCreated(Info(key), secret));
        }
        catch (ApiKeyNameTakenException e)
        {
            return Conflict("name", $"a key named '{name}' exists", e.Message);
        }
    }

    private static async Task<Results<Ok<ApiKeyInfo>, ProblemHttpResult>> RevokeAsync(Guid id, ApiKeyStore store, ClaimsPrincipal user, CancellationToken ct)
    {
        var (key, revoked) = await store.RevokeAsync(id, user.Identity?.Name ?? "unknown", ct);
        if (key is null) return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"no API key {id}");
        if (!revoked)
            return Conflict("id", $"key '{key.Name}' is already revoked",
                $"key '{key.Name}' ({id}) was revoked at {key.RevokedAt:yyyy-MM-dd HH:mm:ss} UTC by {key.RevokedBy}");
        return TypedResults.Ok(Info(key));
    }

    private static ApiKeyInfo Info(StoredApiKey k) =>
        new(k.Id, k.Name, k.Role, "database", k.CreatedBy, Utc(k.CreatedAt), Utc(k.LastUsedAt), Utc(k.RevokedAt), k.RevokedBy);

    private static DateTimeOffset? Utc(DateTime? at) => at is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static ProblemHttpResult Conflict(string field, string title, string message) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: message,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });
}
