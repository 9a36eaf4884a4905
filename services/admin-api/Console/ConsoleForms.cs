using Microsoft.AspNetCore.Antiforgery;

namespace Billing.AdminApi.OperatorConsole;

/// <summary>What every console form endpoint shares: the antiforgery check and the redirect after a change.</summary>
public static class ConsoleForms
{
    /// <summary>A form's endpoint: the antiforgery token it rendered is required (400 with a page that says so otherwise).</summary>
    public static RouteHandlerBuilder Form(RouteHandlerBuilder endpoint) =>
        endpoint.WithMetadata(new RequireAntiforgeryTokenAttribute()).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: true }) return await next(context);
            return ConsolePages.Error(http, StatusCodes.Status400BadRequest, "Form refused",
                "The form was not sent from a page of this console, or it is too old. Go back, reload the page and send it again.");
        });

    /// <summary>303: after a form, the browser fetches the next page with GET.</summary>
    public static IResult SeeOther(string url) => new SeeOtherResult(url);

    private sealed class SeeOtherResult(string url) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = StatusCodes.Status303SeeOther;
            http.Response.Headers.Location = url;
            return Task.CompletedTask;
        }
    }
}
