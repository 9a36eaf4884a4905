using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Billing.AdminApi.Auth;

/// <summary>Bearer API keys compared by SHA-256 hash in constant time. The key itself is never logged or stored.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyRegistry registry) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return Task.FromResult(AuthenticateResult.NoResult());
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.Fail("Authorization must be 'Bearer <api key>'"));

        var hash = ApiKeyOptions.Hash(header["Bearer ".Length..].Trim());
        var match = registry.Keys.FirstOrDefault(k => CryptographicOperations.FixedTimeEquals(k.Hash, hash));
        if (match is null) return Task.FromResult(AuthenticateResult.Fail("unknown API key"));

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, match.Name), new Claim(ClaimTypes.Role, match.Role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
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
