using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Billing.AdminApi.Auth;
using Billing.AdminApi.OperatorConsole.Components;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Billing.AdminApi.OperatorConsole;

/// <summary><c>Console__*</c>: the operator console's settings.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>How long a console session lasts without a request (sliding; default 8 hours).</summary>
    [Range(0.05, 168)]
    public double SessionHours { get; set; } = 8;

    /// <summary>Wrong keys allowed from one address at the sign-in form before it pauses (default 10).</summary>
    [Range(1, 1000)]
    public int SignInFailuresAllowed { get; set; } = 10;

    /// <summary>The window of those wrong keys, and how long the form then refuses that address (default 5 minutes).</summary>
    [Range(0.1, 1440)]
    public double SignInLockoutMinutes { get; set; } = 5;
}

/// <summary>
/// The console's sessions: an API key pasted once into the sign-in form becomes a cookie of its own scheme, holding the
/// key's name, role and (for a key of <c>api_keys</c>) its id, never the key. The cookie is HttpOnly, SameSite=Strict,
/// Secure on HTTPS, scoped to <c>/console</c> and expires after <see cref="ConsoleOptions.SessionHours"/> without use.
/// Only the console's endpoints name this scheme (<see cref="ReadPolicy"/>, <see cref="WritePolicy"/>): the API keeps
/// its bearer keys as its only scheme, with its 401 and 403 answers unchanged. Every console request checks that the
/// key is still there (a stored key active in <c>api_keys</c>, a bootstrap key still configured) and ends the session
/// otherwise, so revoking a key signs its console sessions out at their next request.
/// </summary>
public static class ConsoleAuth
{
    public const string Scheme = "ConsoleSession";
    public const string ReadPolicy = "console-read";
    public const string WritePolicy = "console-write";
    public const string CookieName = "billing_console";
    public const string AntiforgeryCookieName = "billing_console_csrf";

    /// <summary>Where the key came from: <c>database</c> (api_keys) or <c>configuration</c> (Auth__ApiKeys).</summary>
    public const string SourceClaim = "billing:key_source";

    public static IServiceCollection AddConsoleAuth(this IServiceCollection services)
    {
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddAuthentication().AddCookie(Scheme);
        services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<IOptions<ConsoleOptions>>((o, console) =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.Path = ConsolePaths.Root;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(console.Value.SessionHours);
            o.SlidingExpiration = true;
            o.LoginPath = ConsolePaths.SignIn;
            o.LogoutPath = ConsolePaths.SignOut;
            o.ReturnUrlParameter = ConsolePaths.ReturnUrlParameter;
            o.Events = new CookieAuthenticationEvents
            {
                OnValidatePrincipal = ValidateAsync,
                OnRedirectToLogin = RedirectToSignInAsync,
                OnRedirectToAccessDenied = ForbiddenAsync,
            };
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = AntiforgeryCookieName;
            o.Cookie.Path = ConsolePaths.Root;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(ReadPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireRole(Roles.Viewer, Roles.Operator))
            .AddPolicy(WritePolicy, p => p.AddAuthenticationSchemes(Scheme).RequireRole(Roles.Operator));
        return services;
    }

    /// <summary>The session's principal for a key's principal (from <see cref="ApiKeyAuthenticationHandler.AuthenticateKeyAsync"/>).</summary>
    public static ClaimsPrincipal SessionFor(ClaimsPrincipal key)
    {
        var keyId = key.FindFirstValue(ApiKeyAuthenticationHandler.KeyIdClaim);
        List<Claim> claims =
        [
            new(ClaimTypes.Name, key.Identity?.Name ?? ""),
            new(ClaimTypes.Role, key.FindFirstValue(ClaimTypes.Role) ?? ""),
            new(SourceClaim, keyId is null ? "configuration" : "database"),
        ];
        if (keyId is not null) claims.Add(new Claim(ApiKeyAuthenticationHandler.KeyIdClaim, keyId));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>On every console request: the session lasts only while its key does.</summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        if (context.Principal is { } principal && await KeyStillValidAsync(principal, context.HttpContext)) return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(Scheme);
    }

    private static async Task<bool> KeyStillValidAsync(ClaimsPrincipal session, HttpContext http)
    {
        var name = session.Identity?.Name;
        var role = session.FindFirstValue(ClaimTypes.Role);
        if (name is null || role is null) return false;
        if (session.FindFirstValue(ApiKeyAuthenticationHandler.KeyIdClaim) is not { } text)
            return http.RequestServices.GetRequiredService<ApiKeyRegistry>().Keys.Any(k => k.Name == name && k.Role == role);
        if (!Guid.TryParse(text, out var id)) return false;
        var store = http.RequestServices.GetRequiredService<ApiKeyStore>();
        var key = await store.GetAsync(id, http.RequestAborted);
        if (key is null || key.RevokedAt is not null || key.Name != name || key.Role != role) return false;
        // A console session is a use of its key (written at most once a minute).
        await store.TouchAsync(id, http.RequestAborted);
        return true;
    }

    /// <summary>A page is sent to the sign-in form (302 with its address as returnUrl); the live script's requests get 401.</summary>
    private static Task RedirectToSignInAsync(RedirectContext<CookieAuthenticationOptions> context)
    {
        if (ConsolePaths.IsScriptRequest(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }
        var returnUrl = ConsolePaths.LocalReturnUrl(context.Request.PathBase + context.Request.Path + context.Request.QueryString);
        context.Response.Redirect(ConsolePaths.SignInFor(returnUrl));
        return Task.CompletedTask;
    }

    /// <summary>A viewer's session on an operator's action: 403 with a page that says so (no redirect).</summary>
    private static Task ForbiddenAsync(RedirectContext<CookieAuthenticationOptions> context) =>
        ConsolePages.Error(context.HttpContext, StatusCodes.Status403Forbidden, "Not allowed",
            "This action needs an operator key. You are signed in with a viewer key, which can read but not change anything.")
            .ExecuteAsync(context.HttpContext);
}

/// <summary>The console's addresses, and the one rule for where a sign-in may send the browser back to.</summary>
public static class ConsolePaths
{
    public const string Root = "/console";
    public const string SignIn = "/console/sign-in";
    public const string SignOut = "/console/sign-out";
    public const string ReturnUrlParameter = "returnUrl";

    /// <summary>Header the console's script sends with its fetches (answered 401 instead of a redirect when the session is gone).</summary>
    public const string ScriptHeader = "X-Requested-With";

    public static bool IsScriptRequest(HttpRequest request) => request.Headers[ScriptHeader] == "fetch";

    /// <summary><paramref name="url"/> when it is a console address on this host, otherwise the overview: a sign-in never
    /// sends the browser elsewhere (no scheme, host, <c>//</c>, backslash, <c>..</c> or control character).</summary>
    public static string LocalReturnUrl(string? url)
    {
        if (string.IsNullOrEmpty(url) || url.Length > 2048) return Root;
        var path = url.Split('?', '#')[0];
        var local = (path == Root || path.StartsWith(Root + "/", StringComparison.Ordinal))
                    && !url.Contains('\\') && !url.Contains("//", StringComparison.Ordinal)
                    && !path.Split('/').Any(segment => segment is ".." or ".")
                    && !url.Any(char.IsControl)
                    && !path.StartsWith(SignIn, StringComparison.Ordinal);
        return local ? url : Root;
    }

    public static string SignInFor(string returnUrl) => $"{SignIn}?{ReturnUrlParameter}={Uri.EscapeDataString(returnUrl)}";
}
