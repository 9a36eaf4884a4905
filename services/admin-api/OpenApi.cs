using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Billing.AdminApi.Auth;
using Billing.Api.Contracts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Billing.AdminApi;

/// <summary>
/// The OpenAPI document of the admin API (<c>/openapi/v1.json</c>, committed as <c>openapi.json</c> at the repository
/// root) and its reference UI (<c>/docs</c>). Both are served without an API key: they describe the API, not its data,
/// and hold no secret. The document says what the API really does: the bearer API key, the problem+json answers each
/// endpoint can give (400 naming the field, 401 without a key, 403 without the operator role, 404, 409, 413 over the
/// size limit, 415 for a body that is not JSON), decimals as strings, and every field a response carries.
/// </summary>
public static class OpenApiDocs
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string UiPath = "/docs";
    private const string SchemeName = "ApiKey";
    private const string ProblemJson = "application/problem+json";

    public static IServiceCollection AddAdminApiOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Billing admin API",
                    Version = "v1",
                    Description = """
                        Plans, accounts, usage and charges; monthly invoice runs, invoices, credit notes, PDFs and emails;
                        the error log, the ledger and dead-letter queues. JSON is snake_case; money is integer minor units
                        (`total_minor`) next to an ISO 4217 `currency`; quantities, prices and tax rates are decimals written
                        as strings ("0.0005"). Errors are problem+json (RFC 9457); a 400 names each field at fault in `errors`.
                        Send an API key as `Authorization: Bearer <key>`: a viewer key reads, an operator key also changes.
                        """,
                };
                // The servers are wherever the API runs; the document names none so that it is the same everywhere.
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [SchemeName] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        BearerFormat = "API key",
                        Description = "An API key (`billing keys new` prints one) as `Authorization: Bearer <key>`. Viewer keys read; operator keys also change.",
                    },
                };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer(DescribeProblemsAsync);
            o.AddSchemaTransformer(DescribeSchema);
        });

    public static WebApplication MapAdminApiDocs(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        app.MapScalarApiReference(UiPath, o => o
            .WithTitle("Billing admin API")
            .WithOpenApiRoutePattern(DocumentPath)
            .AddPreferredSecuritySchemes(SchemeName)).AllowAnonymous();
        return app;
    }

    /// <summary>The security requirement and the problem answers that no handler states itself: 401 and 403 from the
    /// API-key check, 413 and 415 from the body check every write endpoint goes through.</summary>
    private static async Task DescribeProblemsAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
        var jsonBody = metadata.OfType<JsonBodyMetadata>().Any();
        if (metadata.OfType<JsonRequestBody>().LastOrDefault() is { } body && operation.RequestBody is null)
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(body.Type, null, ct) },
                },
            };
        operation.Responses ??= new OpenApiResponses();
        if (metadata.OfType<JsonAnswerAlternatives>().LastOrDefault() is { } alternatives
            && operation.Responses.TryGetValue("200", out var ok) && ok is OpenApiResponse okResponse && context.Document is { } doc)
        {
            var oneOf = new List<IOpenApiSchema>();
            foreach (var type in alternatives.Types)
            {
                var schema = (OpenApiSchema)await context.GetOrCreateSchemaAsync(type, null, ct);
                if (schema.Items is OpenApiSchema item && type.IsGenericType)
                {
                    var name = type.GetGenericArguments()[0].Name;
                    doc.AddComponent(name, item);
                    schema.Items = new OpenApiSchemaReference(name, doc);
                    oneOf.Add(schema);
                }
                else
                {
                    doc.AddComponent(type.Name, schema);
                    oneOf.Add(new OpenApiSchemaReference(type.Name, doc));
                }
            }
            okResponse.Content ??= new Dictionary<string, OpenApiMediaType>();
            okResponse.Content["application/json"] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema { OneOf = oneOf, Description = alternatives.Description },
            };
        }
        IOpenApiSchema problem = await context.GetOrCreateSchemaAsync(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), null, ct);
        if (context.Document is { } document)
        {
            document.AddComponent("ProblemDetails", (OpenApiSchema)problem);
            problem = new OpenApiSchemaReference("ProblemDetails", document);
        }

        void Add(int status, string description, string title, string detail)
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Responses.ContainsKey(key)) return;
            operation.Responses[key] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [ProblemJson] = new()
                    {
                        Schema = problem,
                        Example = new JsonObject { ["type"] = "about:blank", ["title"] = title, ["status"] = status, ["detail"] = detail },
                    },
                },
            };
        }

        if (!anonymous)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] }];
            Add(StatusCodes.Status401Unauthorized, "No API key, or an unknown one", "Unauthorized",
                "send an API key as 'Authorization: Bearer <key>' (the CLI reads BILLING_API_KEY)");
            if (policies.Contains(Policies.Write))
                Add(StatusCodes.Status403Forbidden, "The key is a viewer key; this needs the operator role", "Forbidden",
                    "this action needs an API key with the operator role");
        }
        if (jsonBody || operation.RequestBody is not null)
            Add(StatusCodes.Status413PayloadTooLarge, "The body is over the size limit (AdminApi__MaxRequestBodyBytes, 16 MiB by default)",
                "Request body too large", "the body has 20,000,000 bytes; at most 16,777,216 are accepted (send large batches in parts)");
        if (jsonBody)
            Add(StatusCodes.Status415UnsupportedMediaType, "A body that is not sent as application/json", "Unsupported media type",
                "the body was sent with Content-Type 'text/plain'; this endpoint reads JSON: send it as application/json");
        foreach (var (status, response) in operation.Responses)
        {
            // A 400 says which field is wrong; the others carry a title and a detail.
            if (status == "400" && response.Content?.TryGetValue(ProblemJson, out var invalid) == true && invalid.Example is null)
                invalid.Example = new JsonObject
                {
                    ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                    ["title"] = "One or more validation errors occurred.",
                    ["status"] = 400,
                    ["detail"] = "Not valid: period",
                    ["errors"] = new JsonObject { ["period"] = new JsonArray("'2026-13' is not a period; expected yyyy-MM such as 2026-10") },
                };
            else if (status is "404" or "409" && response.Content?.TryGetValue(ProblemJson, out var other) == true && other.Example is null)
                other.Example = status == "404"
                    ? new JsonObject { ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.5", ["title"] = "Not found", ["status"] = 404, ["detail"] = "no account 0193f2a4-6f1e-7cc1-9d2b-4e1f8a3c5b6d" }
                    : new JsonObject { ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.10", ["title"] = "2026-10 is already invoiced", ["status"] = 409, ["detail"] = "2026-10 was invoiced by run 0193f2a4-6f1e-7cc1-9d2b-4e1f8a3c5b6d (completed); retry failed requests of that run instead", ["errors"] = new JsonObject { ["period"] = new JsonArray("2026-10 was invoiced by run 0193f2a4-6f1e-7cc1-9d2b-4e1f8a3c5b6d (completed); retry failed requests of that run instead") } };
        }
    }

    /// <summary>
    /// Decimals are strings; a response record lists every field it writes as required and no other
    /// (<c>additionalProperties: false</c>), so a client generated from the document, and the schema check of the
    /// tests, see a field the document does not describe.
    /// </summary>
    private static Task DescribeSchema(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = context.JsonPropertyInfo?.PropertyType ?? context.JsonTypeInfo.Type;
        if (Nullable.GetUnderlyingType(type) is { } inner && inner == typeof(decimal) || type == typeof(decimal))
        {
            var nullable = type != typeof(decimal);
            schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
            schema.Format = "decimal";
            schema.Pattern = @"^-?[0-9]+(\.[0-9]+)?$";
            if (context.JsonPropertyInfo is null) schema.Examples = [JsonValue.Create("12.50")];
            return Task.CompletedTask;
        }
        // The serializer would read "12" for a number too (web defaults), but the API writes numbers: say numbers.
        if (schema.Type is { } t && t.HasFlag(JsonSchemaType.String) && (t.HasFlag(JsonSchemaType.Integer) || t.HasFlag(JsonSchemaType.Number)))
        {
            schema.Type = t & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        // Also a record first reached as a property's type (an account's address): its schema becomes the component.
        var info = context.JsonTypeInfo;
        if (info.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object
            && (info.Type.Assembly == typeof(ApiJson).Assembly || info.Type.Assembly == typeof(Billing.Ledger.JournalEntry).Assembly)
            && !IsRequest(info.Type))
        {
            schema.AdditionalPropertiesAllowed = false;
            schema.Required = new HashSet<string>(info.Properties
                .Where(p => p.AttributeProvider is not MemberInfo m
                    || m.GetCustomAttribute<JsonIgnoreAttribute>() is not { Condition: JsonIgnoreCondition.WhenWritingNull or JsonIgnoreCondition.Always })
                .Select(p => p.Name));
        }
        if (context.JsonPropertyInfo is null && Examples.TryGetValue(info.Type, out var example)) schema.Examples = [example()];
        return Task.CompletedTask;
    }

    /// <summary>Request bodies are read leniently by some endpoints (unknown fields ignored) and strictly by others;
    /// only answers are closed.</summary>
    private static bool IsRequest(Type type) => type.Name.EndsWith("Request", StringComparison.Ordinal) || type.Name.EndsWith("Input", StringComparison.Ordinal)
        || type == typeof(ErrorBulkFilter);

    private static readonly Dictionary<Type, Func<JsonNode>> Examples = new()
    {
        [typeof(StartRunRequest)] = () => new JsonObject { ["period"] = "2026-10" },
        [typeof(RunAccepted)] = () => new JsonObject { ["run_id"] = "0193f2a4-6f1e-7cc1-9d2b-4e1f8a3c5b6d" },
        [typeof(WhoAmI)] = () => new JsonObject { ["name"] = "ops", ["role"] = "operator" },
        [typeof(InvoiceLine)] = () => new JsonObject
        {
            ["line_no"] = 2, ["kind"] = "usage", ["component"] = "api_calls", ["description"] = "API calls", ["quantity"] = "1200000",
            ["unit_price"] = "0.0000005", ["amount_minor"] = 60, ["parent_line_no"] = null,
        },
        [typeof(RunTotal)] = () => new JsonObject { ["currency"] = "EUR", ["invoices"] = 1840, ["total_minor"] = 1_400_222 },
        [typeof(AddChargeRequest)] = () => new JsonObject
        {
            ["description"] = "Onboarding workshop", ["quantity"] = "2", ["unit_price"] = "149.995", ["period"] = "2026-10", ["idempotency_key"] = "crm-4711",
        },
        [typeof(IssueCreditNoteRequest)] = () => new JsonObject { ["reason"] = "overcharge", ["amount"] = "12.50" },
        [typeof(RecordUsageRequest)] = () => new JsonObject
        {
            ["records"] = new JsonArray(new JsonObject
            {
                ["account_id"] = "0193f2a4-6f1e-7cc1-9d2b-4e1f8a3c5b6d", ["metric"] = "api_calls", ["quantity"] = "1500",
                ["occurred_at"] = "2026-10-14T09:30:00Z", ["idempotency_key"] = "gw-2026-10-14-0001",
            }),
        },
        [typeof(DlqFilterRequest)] = () => new JsonObject { ["exception_type"] = "System.TimeoutException", ["rate"] = 50, ["dry_run"] = true },
        [typeof(PurgeRequest)] = () => new JsonObject { ["confirm_queue"] = "send-invoice-email_error", ["expected_count"] = 12 },
    };
}

/// <summary>
/// An endpoint whose <c>application/json</c> answer is one of several shapes (chosen by a query parameter): the
/// document describes it as <c>oneOf</c> them. For answers written by a serializer of their own, not by a result type.
/// </summary>
public sealed record JsonAnswerAlternatives(string Description, params Type[] Types);
