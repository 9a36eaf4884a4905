using Billing.Api.Contracts;

namespace Billing.AdminApi.Auth;

/// <summary>What a request to create a key came to: the key and its secret, the fields at fault, or a clash of names.</summary>
public sealed record KeyCreation(ApiKeyCreated? Created, IReadOnlyDictionary<string, string[]> Errors, KeyConflict? Conflict);

/// <summary>A name already taken: the field, a title and what to do instead.</summary>
public sealed record KeyConflict(string Field, string Title, string Detail);

/// <summary>
/// Listing, creating and revoking API keys, shared by <c>/api/keys</c> and the console's keys page so that both check
/// names and roles the same way and answer with the same records (never a secret, except once on creation).
/// </summary>
public sealed class ApiKeyAdmin(ApiKeyStore store, ApiKeyRegistry registry)
{
    /// <summary>The bootstrap keys of <c>Auth__ApiKeys</c>, then the stored keys (revoked ones when asked).</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(bool withRevoked, CancellationToken ct) =>
        registry.Keys.Select(k => new ApiKeyInfo(null, k.Name, k.Role, "configuration", null, null, null, null, null))
            .Concat((await store.ListAsync(withRevoked, ct)).Select(Info))
            .ToList();

    /// <param name="role">null for the default, viewer.</param>
    public async Task<KeyCreation> CreateAsync(string? name, string? role, string createdBy, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        name = name?.Trim();
        if (string.IsNullOrEmpty(name))
            errors["name"] = ["is required: who or what uses the key, e.g. billing-ops"];
        else if (name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            errors["name"] = [$"'{name}' must be 1 to 64 letters, digits, - or _"];
        role = role?.Trim() ?? Roles.Viewer;
        if (!Roles.All.Contains(role))
            errors["role"] = [$"'{role}' is not a role; roles are {string.Join(", ", Roles.All)}"];
        if (errors.Count > 0) return new KeyCreation(null, errors, null);

        if (registry.Keys.Any(k => k.Name == name))
            return Conflict(new KeyConflict("name", $"a key named '{name}' is configured",
                $"'{name}' is the name of a key in Auth__ApiKeys; choose another name"));
        try
        {
            var (key, secret) = await store.CreateAsync(name!, role, createdBy, ct);
            return new KeyCreation(new ApiKeyCreated(Info(key), secret), NoErrors, null);
        }
        catch (ApiKeyNameTakenException e)
        {
            return Conflict(new KeyConflict("name", $"a key named '{name}' exists", e.Message));
        }
    }

    /// <summary>Revokes an active key; null when there is no such key, the key unchanged when it was revoked before.</summary>
    public async Task<(ApiKeyInfo? Key, bool Revoked)> RevokeAsync(Guid id, string revokedBy, CancellationToken ct)
    {
        var (key, revoked) = await store.RevokeAsync(id, revokedBy, ct);
        return (key is null ? null : Info(key), revoked);
    }

    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();

    private static KeyCreation Conflict(KeyConflict conflict) => new(null, NoErrors, conflict);

    private static ApiKeyInfo Info(StoredApiKey k) =>
        new(k.Id, k.Name, k.Role, "database", k.CreatedBy, Utc(k.CreatedAt), Utc(k.LastUsedAt), Utc(k.RevokedAt), k.RevokedBy);

    private static DateTimeOffset? Utc(DateTime? at) => at is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;
}
