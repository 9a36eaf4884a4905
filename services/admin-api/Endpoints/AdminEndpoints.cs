using Microsoft.AspNetCore.Http.HttpResults;
using System.Security.Claims;
using Billing.AdminApi.Auth;
using Billing.Api.Contracts;

namespace Billing.AdminApi.Endpoints;

public static class AdminEndpoints
{
    /// <summary>
    /// Route groups: <c>read</c> needs a viewer (or operator) key, <c>write</c> an operator key.
    /// Each feature maps its endpoints from its own file into these groups.
    /// </summary>
    public static void MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("").RequireAuthorization(Policies.Read).AddEndpointFilter(RequestProblems.NameFieldsAsync);
        var write = app.MapGroup("").RequireAuthorization(Policies.Write).AddEndpointFilter(RequestProblems.NameFieldsAsync)
            .WithMetadata(JsonBodyMetadata.Instance);

        read.MapGroup("/api/whoami").WithTags("Keys")
            .MapGet("", (ClaimsPrincipal user) => TypedResults.Ok(new WhoAmI(user.Identity?.Name, user.FindFirstValue(ClaimTypes.Role))))
            .WithSummary("The name and role of the API key sent");
        MapFeatures(read, write);
    }

    // Each feature adds one line here.
    private static void MapFeatures(RouteGroupBuilder read, RouteGroupBuilder write)
    {
        read.MapCatalogueEndpoints(write);
        read.MapPdfEndpoints(write);
        read.MapRunEndpoints(write);
        read.MapInvoiceEndpoints(write);
        read.MapCreditNoteEndpoints(write);
        read.MapMailEndpoints(write);
        read.MapErrorEndpoints(write);
        read.MapLedgerEndpoints(write);
        read.MapDlqEndpoints(write);
        read.MapKeyEndpoints(write);
    }
}
