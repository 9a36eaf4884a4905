using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Billing.AdminApi;

/// <summary><c>AdminApi__MaxRequestBodyBytes</c>: the largest request body accepted (default 16 MiB, room for the
/// 10,000 records of the largest usage or account batch); a larger one is answered 413 without being read.</summary>
public sealed class RequestLimitOptions
{
    public const string Section = "AdminApi";

    [Range(1024, 1L << 30)]
    public long MaxRequestBodyBytes { get; set; } = 16L << 20;
}

/// <summary>The record an endpoint that reads its body by hand (to name the field at fault) expects, for the OpenAPI
/// document. Unlike <c>Accepts&lt;T&gt;</c> it does not let routing refuse other media types with a bare 415 before
/// <see cref="RequestProblems.CheckBodyAsync"/> can say what was sent.</summary>
public sealed record JsonRequestBody(Type Type);

public static class JsonRequestBodyExtensions
{
    public static RouteHandlerBuilder Body<T>(this RouteHandlerBuilder builder) => builder.WithMetadata(new JsonRequestBody(typeof(T)));
}

/// <summary>Marks the endpoints whose request body, when there is one, must be JSON.</summary>
public sealed class JsonBodyMetadata
{
    public static readonly JsonBodyMetadata Instance = new();

    private JsonBodyMetadata() { }
}

/// <summary>
/// What the admin API answers to a request it cannot read, always as problem+json and before anything is written:
/// a body over the size limit is 413, a body that is not JSON where JSON is expected is 415, and a 400 names the field
/// at fault (<c>errors</c> keyed by its snake_case name, and a detail that says it).
/// </summary>
public static partial class RequestProblems
{
    /// <summary>Refuses, before the endpoint runs, a body over the limit and a body of another media type on a JSON
    /// endpoint. A body with a Content-Length is judged by it, unread; a chunked one (no Content-Length) is read to its
    /// end first, into a buffer that spills to a temporary file, so that one over the limit is refused before any
    /// endpoint runs too, also one that reads no body.</summary>
    public static async Task CheckBodyAsync(HttpContext context, RequestDelegate next)
    {
        var limit = context.RequestServices.GetRequiredService<IOptions<RequestLimitOptions>>().Value.MaxRequestBodyBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
        var request = context.Request;
        if (request.ContentLength > limit)
        {
            await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
                $"the body has {request.ContentLength:N0} bytes; at most {limit:N0} are accepted (send large batches in parts)");
            return;
        }
        var hasBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? request.ContentLength > 0;
        if (hasBody && context.GetEndpoint()?.Metadata.GetMetadata<JsonBodyMetadata>() is not null && !request.HasJsonContentType())
        {
            var sent = string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"Content-Type '{request.ContentType}'";
            await WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"the body was sent with {sent}; this endpoint reads JSON: send it as application/json");
            return;
        }
        if (hasBody && request.ContentLength is null)
        {
            request.EnableBuffering(bufferThreshold: 64 * 1024);
            try
            {
                await request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
                    $"the body is larger than the {limit:N0} bytes accepted (send large batches in parts)");
                return;
            }
            request.Body.Position = 0;
        }
        await next(context);
    }

    /// <summary>Adds to a validation problem without a detail one that names its fields ("Not valid: period"); what is
    /// wrong with each stays in <c>errors</c>.</summary>
    public static async ValueTask<object?> NameFieldsAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        // A handler typed Results<Ok<T>, ValidationProblem, …> answers the union; the problem is inside it.
        var inner = result is INestedHttpResult nested ? nested.Result : result;
        var problem = inner switch
        {
            ProblemHttpResult { ProblemDetails: HttpValidationProblemDetails p } => p,
            ValidationProblem v => v.ProblemDetails,
            _ => null,
        };
        if (problem is not null && problem.Errors.Count > 0 && string.IsNullOrEmpty(problem.Detail))
            problem.Detail = Describe(problem.Errors);
        return result;
    }

    /// <summary>"Not valid: period", "Not valid: code, currency".</summary>
    public static string Describe(IDictionary<string, string[]> errors) => "Not valid: " + string.Join(", ", errors.Keys);

    private static async Task WriteAsync(HttpContext context, int status, string title, string detail,
        IDictionary<string, string[]>? errors = null)
    {
        context.Response.StatusCode = status;
        var problem = errors is null ? new ProblemDetails() : new HttpValidationProblemDetails(errors);
        problem.Status = status;
        problem.Title = title;
        problem.Detail = detail;
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    /// <summary>
    /// The request errors ASP.NET Core raises while it reads a request (<see cref="BadHttpRequestException"/>: a body
    /// over the limit, a body it cannot bind, a parameter it cannot parse) as problem+json with their own status
    /// instead of a 500; a 400 names the field.
    /// </summary>
    public sealed class BadRequestHandler : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
        {
            if (exception is not BadHttpRequestException bad || context.Response.HasStarted) return false;
            switch (bad.StatusCode)
            {
                case StatusCodes.Status413PayloadTooLarge:
                    var limit = context.RequestServices.GetRequiredService<IOptions<RequestLimitOptions>>().Value.MaxRequestBodyBytes;
                    await WriteAsync(context, bad.StatusCode, "Request body too large",
                        $"the body is larger than the {limit:N0} bytes accepted (send large batches in parts)");
                    return true;
                case StatusCodes.Status415UnsupportedMediaType:
                    await WriteAsync(context, bad.StatusCode, "Unsupported media type",
                        $"the body was sent with Content-Type '{context.Request.ContentType}'; send it as application/json");
                    return true;
                case StatusCodes.Status400BadRequest:
                    var (field, message) = FieldOf(bad);
                    var errors = new Dictionary<string, string[]> { [field] = [message] };
                    await WriteAsync(context, bad.StatusCode, "The request could not be read", Describe(errors), errors);
                    return true;
                default:
                    await WriteAsync(context, bad.StatusCode, "Bad request", bad.Message);
                    return true;
            }
        }
    }

    /// <summary>The field a request error is about and what is wrong with it.</summary>
    internal static (string Field, string Message) FieldOf(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json)
        {
            var field = FieldOfPath(json.Path);
            if (ConvertTo().Match(json.Message) is { Success: true } m)
                return (field, $"must be {Expected(m.Groups[1].Value.TrimEnd('.'), field)}");
            return field == "body"
                ? ("body", $"is not valid JSON{Position(json)}")
                : (field, $"could not be read: the JSON is malformed{Position(json)}");
        }
        if (BindParameter().Match(bad.Message) is { Success: true } p)
            return (JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Groups[2].Value), $"'{p.Groups[3].Value}' is not {Kind(p.Groups[1].Value)}");
        if (RequiredParameter().Match(bad.Message) is { Success: true } r)
            return (JsonNamingPolicy.SnakeCaseLower.ConvertName(r.Groups[1].Value), "is required");
        if (bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase))
            return ("body", "is required: send a JSON object");
        return ("request", bad.Message);
    }

    /// <summary>"$.records[3].quantity" → "records[3].quantity"; the root → "body".</summary>
    private static string FieldOfPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "body";
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Length == 0 ? "body" : field;
    }

    private static string Position(JsonException json) =>
        json.LineNumber is { } line && json.BytePositionInLine is { } at ? $" (line {line + 1}, byte {at + 1})" : "";

    /// <summary>What the field should have been. The serializer names the type it was reading, which for a property
    /// bound through a constructor is the request type: then the property's own type is looked up by its JSON name.</summary>
    private static string Expected(string typeName, string field)
    {
        var type = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        if (type is null) return "of another JSON type";
        var name = field.Split('.')[^1];
        name = name.Contains('[', StringComparison.Ordinal) ? name[..name.IndexOf('[', StringComparison.Ordinal)] : name;
        var property = type.GetProperties().FirstOrDefault(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name) == name);
        return JsonKind(property?.PropertyType ?? type);
    }

    private static string JsonKind(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return "a JSON string";
        if (type == typeof(Guid)) return "a UUID written as a JSON string";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(DateOnly) || type == typeof(DateTime) || type == typeof(DateTimeOffset)) return "a date written as a JSON string";
        if (type.IsPrimitive || type == typeof(decimal)) return "a JSON number";
        if (typeof(System.Collections.IEnumerable).IsAssignableFrom(type)) return "a JSON array";
        return "a JSON object";
    }

    private static string Kind(string type) => type switch
    {
        "int" or "long" or "Int32" or "Int64" => "a whole number",
        "Guid" => "a UUID",
        "bool" or "Boolean" => "true or false",
        _ => $"a valid {type}",
    };

    [GeneratedRegex(@"could not be converted to ([\w.\[\]`,]+)")]
    private static partial Regex ConvertTo();

    [GeneratedRegex("Failed to bind parameter \"(\\S+) (\\w+)\" from \"([^\"]*)\"")]
    private static partial Regex BindParameter();

    [GeneratedRegex("Required parameter \"[\\w.?<>]+ (\\w+)\" was not provided")]
    private static partial Regex RequiredParameter();
}
