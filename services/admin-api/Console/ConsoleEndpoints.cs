using System.Diagnostics;
using System.Security.Claims;
using Billing.AdminApi.Auth;
using Billing.AdminApi.Endpoints;
using Billing.AdminApi.OperatorConsole.Components;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Npgsql;

using static Billing.AdminApi.OperatorConsole.ConsoleText;

namespace Billing.AdminApi.OperatorConsole;

/// <summary>Who is signed in to the console: the name and role of the key pasted at sign-in.</summary>
public sealed record ConsoleUser(string Name, string Role, string Source)
{
    public bool IsOperator => Role == Roles.Operator;

    public static ConsoleUser? From(ClaimsPrincipal principal) =>
        principal.Identity is { IsAuthenticated: true, AuthenticationType: ConsoleAuth.Scheme, Name: { } name }
            ? new ConsoleUser(name, principal.FindFirstValue(ClaimTypes.Role) ?? "", principal.FindFirstValue(ConsoleAuth.SourceClaim) ?? "")
            : null;
}

/// <summary>Console pages are Razor components rendered on the server (static SSR) from the endpoints' models.</summary>
public static class ConsolePages
{
    public static RazorComponentResult Render<T>(object parameters, int status = StatusCodes.Status200OK) where T : IComponent =>
        new RazorComponentResult<T>(parameters) { StatusCode = status };

    public static RazorComponentResult Error(HttpContext http, int status, string title, string message) =>
        Render<ErrorPage>(new { User = ConsoleUser.From(http.User), Title = title, Message = message }, status);
}

/// <summary>
/// The operator console under <c>/console</c>: server-rendered pages for billing operations, left out of the API's
/// OpenAPI document. Reading needs a console session of any key; every change needs an operator's session (403
/// otherwise, whatever the page showed) and the form's antiforgery token (400 without it).
/// </summary>
public static class ConsoleEndpoints
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; frame-src 'self'; " +
        "form-action 'self'; base-uri 'none'; frame-ancestors ";

    public static IServiceCollection AddConsole(this IServiceCollection services)
    {
        services.AddRazorComponents();
        ConsoleKeyRing.Register(services);
        services.AddConsoleAuth();
        services.AddSingleton<ConsoleDeadLetters>();
        services.AddSingleton<ConsoleRuns>();
        services.AddSingleton<ConsoleInvoices>();
        services.AddSingleton<ConsoleSignInThrottle>();
        return services;
    }

    /// <summary>Headers of every console answer, redirects and refusals included: no caching of what a session
    /// saw, no framing, no script or style from elsewhere.</summary>
    public static IApplicationBuilder UseConsoleHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(ConsolePaths.Root))
            {
                var started = Stopwatch.GetTimestamp();
                context.Response.OnStarting(() =>
                {
                    var headers = context.Response.Headers;
                    // How long the page took on the server, for the browser's developer tools and the paging benchmark.
                    headers["Server-Timing"] = FormattableString.Invariant($"app;dur={Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0}");
                    // Only an invoice's PDF may be framed, and only by the console's own invoice page.
                    var framed = context.Response.ContentType?.StartsWith("application/pdf", StringComparison.Ordinal) == true;
                    headers.ContentSecurityPolicy = ContentSecurityPolicy + (framed ? "'self'" : "'none'");
                    headers.XContentTypeOptions = "nosniff";
                    headers.XFrameOptions = framed ? "SAMEORIGIN" : "DENY";
                    headers["Referrer-Policy"] = "same-origin";
                    if (!headers.ContainsKey(HeaderNames.CacheControl)) headers.CacheControl = "no-store";
                    return Task.CompletedTask;
                });
            }
            return next(context);
        });

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder app)
    {
        var console = app.MapGroup(ConsolePaths.Root).ExcludeFromDescription();
        var open = console.MapGroup("").AllowAnonymous();
        var read = console.MapGroup("").RequireAuthorization(ConsoleAuth.ReadPolicy);
        var write = console.MapGroup("").RequireAuthorization(ConsoleAuth.WritePolicy);

        open.MapGet("/assets/{file}", ConsoleAssets.Serve);
        open.MapGet("/sign-in", (string? returnUrl) => SignInPage(returnUrl, null, StatusCodes.Status200OK));
        Form(open.MapPost("/sign-in", SignInAsync));
        Form(read.MapPost("/sign-out", (Func<HttpContext, Task<IResult>>)SignOutAsync));

        read.MapGet("", OverviewAsync);
        read.MapGet("/live", OverviewLiveAsync);
        read.MapGet("/runs", RunsAsync);
        Form(write.MapPost("/runs", StartRunAsync));
        read.MapGet("/runs/{id:guid}", RunAsync);
        read.MapGet("/runs/{id:guid}/live", RunLiveAsync);
        read.MapGet("/keys", KeysAsync);
        Form(write.MapPost("/keys", CreateKeyAsync));
        Form(write.MapPost("/keys/{id:guid}/revoke", RevokeKeyAsync));

        // Each further section maps its own pages (reads on read, forms on write through ConsoleForms.Form).
        ConsoleRunActions.Map(read, write);
        ConsoleDeadLetterPages.Map(read, write);
        ConsoleErrorPages.Map(read, write);
        ConsoleInvoicePages.Map(read, write);

        // Every path under /console that is no page needs a session too; then it is a 404 page.
        read.Map("/{**path}", (HttpContext http) =>
            ConsolePages.Error(http, StatusCodes.Status404NotFound, "Page not found", $"There is no console page at {http.Request.Path}."));
        return app;
    }

    private static void Form(RouteHandlerBuilder endpoint) => ConsoleForms.Form(endpoint);

    private static IResult SeeOther(string url) => ConsoleForms.SeeOther(url);

    private static RazorComponentResult SignInPage(string? returnUrl, string? error, int status) =>
        ConsolePages.Render<SignInPage>(new { ReturnUrl = ConsolePaths.LocalReturnUrl(returnUrl), Error = error }, status);

    /// <summary>Checks the pasted key as a bearer request would and opens a session holding its name and role, never the key.</summary>
    private static async Task<IResult> SignInAsync(HttpContext http, IAuthenticationHandlerProvider handlers, ConsoleSignInThrottle throttle,
        ILoggerFactory logs)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var returnUrl = ConsolePaths.LocalReturnUrl(form[ConsolePaths.ReturnUrlParameter]);
        if (throttle.Paused(http) is { } wait)
        {
            var minutes = Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes));
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            logs.CreateLogger("Billing.AdminApi.Console").LogWarning("Console sign-in paused for {Address}: too many wrong keys", http.Connection.RemoteIpAddress);
            return SignInPage(returnUrl, $"API key: too many wrong keys were sent from this address. Sign-in is paused; try again in {minutes} minute{(minutes == 1 ? "" : "s")}.",
                StatusCodes.Status429TooManyRequests);
        }
        var key = form["key"].ToString().Trim();
        if (key.Length == 0)
            return SignInPage(returnUrl, "API key: paste a key to sign in.", StatusCodes.Status400BadRequest);
        var handler = (ApiKeyAuthenticationHandler)(await handlers.GetHandlerAsync(http, ApiKeyAuthenticationHandler.SchemeName))!;
        var principal = await handler.AuthenticateKeyAsync(key, http.RequestAborted);
        if (principal is null)
        {
            throttle.Failed(http);
            logs.CreateLogger("Billing.AdminApi.Console").LogInformation("Console sign-in refused: unknown or revoked API key");
            return SignInPage(returnUrl, "API key: this key is not known or has been revoked.", StatusCodes.Status401Unauthorized);
        }
        throttle.Succeeded(http);
        var session = ConsoleAuth.SessionFor(principal);
        await http.SignInAsync(ConsoleAuth.Scheme, session, new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });
        logs.CreateLogger("Billing.AdminApi.Console").LogInformation("Console session opened for key {KeyName} ({Role})",
            session.Identity!.Name, session.FindFirstValue(ClaimTypes.Role));
        return SeeOther(returnUrl);
    }

    private static async Task<IResult> SignOutAsync(HttpContext http)
    {
        await http.SignOutAsync(ConsoleAuth.Scheme);
        return SeeOther(ConsolePaths.SignIn);
    }

    private static async Task<RazorComponentResult> OverviewAsync(HttpContext http, ConsoleRuns runs, CancellationToken ct) =>
        ConsolePages.Render<OverviewPage>(new { User = ConsoleUser.From(http.User), Model = await runs.OverviewAsync(ct) });

    private static async Task<RazorComponentResult> OverviewLiveAsync(ConsoleRuns runs, CancellationToken ct) =>
        ConsolePages.Render<OverviewLive>(new { Model = await runs.OverviewAsync(ct) });

    private static async Task<RazorComponentResult> RunsAsync(HttpContext http, string? after, ConsoleRuns runs, CancellationToken ct) =>
        ConsolePages.Render<RunsPage>(new
        {
            User = ConsoleUser.From(http.User),
            Page = await runs.PageAsync(Guid.TryParse(after, out var key) ? key : null, ct),
        });

    /// <summary>Starts a run as <c>POST /api/runs</c> does; a bad period or a run in the way is shown on the form, and nothing is written.</summary>
    private static async Task<IResult> StartRunAsync(HttpContext http, ConsoleRuns runs, NpgsqlDataSource db, IPublishEndpoint bus, TimeProvider time,
        CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var text = form["period"].ToString().Trim();
        var problem = RunOperations.PeriodProblem(text.Length == 0 ? null : text, time, out var period);
        if (problem is not null) return await RunsPageAsync(http, runs, text, problem, null, StatusCodes.Status400BadRequest, ct);
        var started = await RunOperations.StartAsync(period, http.User.Identity?.Name, db, bus, time, ct);
        if (started.RunId is { } id) return SeeOther($"{ConsolePaths.Root}/runs/{id}");
        return await RunsPageAsync(http, runs, text, null, $"{started.ConflictTitle}: {started.ConflictDetail}.", StatusCodes.Status409Conflict, ct);
    }

    private static async Task<RazorComponentResult> RunsPageAsync(HttpContext http, ConsoleRuns runs, string period, string? periodError, string? conflict,
        int status, CancellationToken ct) =>
        ConsolePages.Render<RunsPage>(new
        {
            User = ConsoleUser.From(http.User),
            Page = await runs.PageAsync(null, ct),
            Period = period,
            PeriodError = periodError,
            Conflict = conflict,
        }, status);

    private static async Task<RazorComponentResult> RunAsync(HttpContext http, Guid id, int? retried, string? cancelled, ConsoleRuns runs,
        TimeProvider time, CancellationToken ct) =>
        await runs.ViewAsync(id, details: true, ct) is { } view
            ? ConsolePages.Render<RunPage>(new
            {
                User = ConsoleUser.From(http.User),
                View = view,
                At = time.GetUtcNow(),
                Notice = retried is { } n ? (n == 1 ? "1 failed request was sent to its stage again." : $"{N(n)} failed requests were sent to their stages again.")
                    : cancelled == "1" ? "Cancel requested: no further invoice is issued; those issued finish their stages." : null,
            })
            : ConsolePages.Error(http, StatusCodes.Status404NotFound, "Run not found", $"There is no run {id}.");

    private static async Task<RazorComponentResult> RunLiveAsync(HttpContext http, Guid id, ConsoleRuns runs, CancellationToken ct) =>
        await runs.ViewAsync(id, details: true, ct) is { } view
            ? ConsolePages.Render<RunLive>(new { View = view })
            : ConsolePages.Error(http, StatusCodes.Status404NotFound, "Run not found", $"There is no run {id}.");

    private static async Task<RazorComponentResult> KeysAsync(HttpContext http, string? revoked, string? done, ApiKeyAdmin keys, CancellationToken ct)
    {
        var showRevoked = revoked == "true";
        var list = await keys.ListAsync(withRevoked: true, ct);
        return ConsolePages.Render<KeysPage>(new
        {
            User = ConsoleUser.From(http.User),
            Keys = list.Where(k => showRevoked || k.RevokedAt is null).ToList(),
            ShowRevoked = showRevoked,
            Revoked = Guid.TryParse(done, out var id) ? list.FirstOrDefault(k => k.Id == id && k.RevokedAt is not null) : null,
        });
    }

    /// <summary>Creates a key as <c>POST /api/keys</c> does; the answer is the one page that shows its secret.</summary>
    private static async Task<RazorComponentResult> CreateKeyAsync(HttpContext http, ApiKeyAdmin keys, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var name = form["name"].ToString();
        var role = form["role"].ToString();
        var outcome = await keys.CreateAsync(name, role.Length == 0 ? null : role, http.User.Identity?.Name ?? "unknown", ct);
        var status = outcome.Errors.Count > 0 ? StatusCodes.Status400BadRequest
            : outcome.Conflict is not null ? StatusCodes.Status409Conflict
            : StatusCodes.Status201Created;
        var created = outcome.Created;
        return ConsolePages.Render<KeysPage>(new
        {
            User = ConsoleUser.From(http.User),
            Keys = await keys.ListAsync(withRevoked: false, ct),
            Created = created,
            Name = created is null ? name : null,
            Role = created is null ? role : null,
            outcome.Errors,
            Conflict = outcome.Conflict?.Detail,
        }, status);
    }

    private static async Task<IResult> RevokeKeyAsync(HttpContext http, Guid id, ApiKeyAdmin keys, CancellationToken ct)
    {
        var (key, _) = await keys.RevokeAsync(id, http.User.Identity?.Name ?? "unknown", ct);
        if (key is null) return ConsolePages.Error(http, StatusCodes.Status404NotFound, "Key not found", $"There is no API key {id}.");
        // Revoked now or before: either way the list shows it revoked.
        return SeeOther($"{ConsolePaths.Root}/keys?revoked=true&done={id}");
    }
}
