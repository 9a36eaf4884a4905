using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Billing.AdminApi.Auth;

public static class Policies
{
    public const string Read = "read";
    public const string Write = "write";
}

public static class AuthExtensions
{
    /// <summary>Closed by default: every endpoint needs a viewer key unless it opts out (health, the Stripe webhook).</summary>
    public static IServiceCollection AddApiKeyAuth(this IServiceCollection services)
    {
        services.AddOptions<ApiKeyOptions>()
            .BindConfiguration(ApiKeyOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>();
        services.AddSingleton<ApiKeyRegistry>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Read, p => p.RequireRole(Roles.Viewer, Roles.Operator))
            .AddPolicy(Policies.Write, p => p.RequireRole(Roles.Operator))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireRole(Roles.Viewer, Roles.Operator).Build());
        return services;
    }

}

internal sealed class ApiKeyOptionsValidator : IValidateOptions<ApiKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        try { options.Parse(); return ValidateOptionsResult.Success; }
        catch (FormatException ex) { return ValidateOptionsResult.Fail($"Auth__ApiKeys is malformed: {ex.Message}"); }
    }
}
