using Billing.Catalogue;
using Billing.Invoicing;

namespace Billing.AdminApi.Endpoints;

/// <summary>Maps the catalogue's exceptions to problem+json: validation → 400 with <c>errors</c> by field,
/// a clash with stored data → 409 with the same <c>errors</c> shape, an unknown path id → 404.</summary>
public static class CatalogueProblems
{
    public static async ValueTask<object?> Translate(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (DomainValidationException e)
        {
            return Results.ValidationProblem(ByField(e.Errors));
        }
        catch (CatalogueConflictException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: e.Title, detail: e.Message,
                extensions: new Dictionary<string, object?> { ["errors"] = ByField(e.Errors) });
        }
        catch (CatalogueNotFoundException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: e.Message);
        }
    }

    private static Dictionary<string, string[]> ByField(IEnumerable<ValidationError> errors) =>
        errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
}
