using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Billing.AdminApi.Auth;

/// <summary>
/// Bearer API keys compared by SHA-256 hash: the bootstrap keys of <c>Auth__ApiKeys</c> in constant time, then the keys
/// of table <c>api_keys</c> (<see cref="ApiKeyStore"/>, when the host has a database), looked up on every request so
/// that a revoked key fails at once. The key itself is never logged or stored.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyRegistry registry,
    IServiceProvider services) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>The claim holding the id of a key of <c>api_keys</c> (absent for bootstrap keys).</summary>
    public const string KeyIdClaim = "billing:key_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("Authorization must be 'Bearer <api key>'");
        var principal = await AuthenticateKeyAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        return principal is null
            ? AuthenticateResult.Fail("unknown API key")
            : AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>The principal of an API key (name, role and, for a stored key, its id), or null for an unknown or revoked key.</summary>
    public async Task<ClaimsPrincipal?> AuthenticateKeyAsync(string key, CancellationToken ct)
    {
        var hash = ApiKeyOptions.Hash(key);
        var match = registry.Keys.FirstOrDefault(k => CryptographicOperations.FixedTimeEquals(k.Hash, hash));
        if (match is not null) return Principal(match.Name, match.Role, null);
        if (services.GetService<ApiKeyStore>() is not { } store) return null;
        var stored = await store.FindActiveAsync(hash, ct);
        if (stored is null) return null;
        await store.TouchAsync(stored.Id, ct);
        return Principal(stored.Name, stored.Role, stored.Id);
    }

    private static ClaimsPrincipal Principal(string name, string role, Guid? id)
    {
        List<Claim> claims = [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)];
        if (id is { } keyId) claims.Add(new Claim(KeyIdClaim, keyId.ToString()));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
            "send an API key as 'Authorization: Bearer <key>' (the CLI reads BILLING_API_KEY)");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problem(StatusCodes.Status403Forbidden, "Forbidden", "this action needs an API key with the operator role");

    private Task Problem(int status, string title, string detail)
    {
        Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized) Response.Headers.WWWAuthenticate = "Bearer";
        return Response.WriteAsJsonAsync(new { type = "about:blank", title, status, detail },
            options: null, contentType: "application/problem+json");
    }
}

public sealed class ApiKeyRegistry(IOptions<ApiKeyOptions> options)
{
    public IReadOnlyList<ApiKey> Keys { get; } = options.Value.Parse();
}
