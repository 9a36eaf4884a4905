using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Billing.AdminApi.OperatorConsole;

/// <summary>
/// A console page that fails is answered with a console page, not the API's problem JSON: a bad value in the address
/// (400) names it; anything else (500) says the error was logged under the request's trace id, and shows no detail.
/// </summary>
public sealed class ConsoleExceptionHandler(ILogger<ConsoleExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (!http.Request.Path.StartsWithSegments(ConsolePaths.Root) || http.Response.HasStarted) return false;
        var trace = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;
        var page = exception is BadHttpRequestException bad
            ? ConsolePages.Error(http, StatusCodes.Status400BadRequest, "Bad address", $"This page cannot be shown for that address: {bad.Message}")
            : ConsolePages.Error(http, StatusCodes.Status500InternalServerError, "Something went wrong",
                $"The console could not show this page. The error was logged with trace id {trace}; try again, and if it happens " +
                "again, give that id to the engineer on duty.");
        if (exception is not BadHttpRequestException)
            log.LogError(exception, "Console page {Path} failed (trace {TraceId})", http.Request.Path.Value, trace);
        await page.ExecuteAsync(http);
        return true;
    }
}

/// <summary>
/// Wrong keys at the sign-in form, counted per client address: after <see cref="ConsoleOptions.SignInFailuresAllowed"/>
/// of them within <see cref="ConsoleOptions.SignInLockoutMinutes"/>, the form refuses every key from that address
/// (429) until the window has passed, so that keys cannot be guessed through it. A good key resets the count.
/// Counted per replica: the limit across N replicas is N times the setting.
/// </summary>
public sealed class ConsoleSignInThrottle(IOptions<ConsoleOptions> options, TimeProvider clock)
{
    private const int MaxAddresses = 10_000;
    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset Since)> failures = new();

    private TimeSpan Window => TimeSpan.FromMinutes(options.Value.SignInLockoutMinutes);

    private static string Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>How long until the address may try again; null when it may now.</summary>
    public TimeSpan? Paused(HttpContext http)
    {
        if (!failures.TryGetValue(Address(http), out var seen)) return null;
        var left = seen.Since + Window - clock.GetUtcNow();
        if (left <= TimeSpan.Zero) return null;
        return seen.Failures >= options.Value.SignInFailuresAllowed ? left : null;
    }

    public void Failed(HttpContext http)
    {
        var now = clock.GetUtcNow();
        if (failures.Count >= MaxAddresses)
            foreach (var (address, old) in failures)
                if (old.Since + Window <= now) failures.TryRemove(address, out _);
        failures.AddOrUpdate(Address(http), (1, now), (_, seen) => seen.Since + Window <= now ? (1, now) : (seen.Failures + 1, seen.Since));
    }

    public void Succeeded(HttpContext http) => failures.TryRemove(Address(http), out _);
}
