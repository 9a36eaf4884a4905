using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Billing.Invoicing.Infrastructure.Tests;

/// <summary>
/// The answer schemas of the committed <c>openapi.json</c> as JSON Schemas (OpenAPI 3.1 schemas are JSON Schema
/// 2020-12): an operation's answer schema with every schema of <c>components</c> under <c>$defs</c>, its
/// <c>$ref</c>s pointed there, so a reference resolves into the document.
/// </summary>
public sealed class OpenApiSchemas
{
    private const string ComponentsPrefix = "#/components/schemas/";
    private readonly JsonObject document;
    private readonly ConcurrentDictionary<string, JsonSchema> built = new();

    public OpenApiSchemas(string openApiJson) => document = JsonNode.Parse(openApiJson)!.AsObject();

    public static OpenApiSchemas Committed { get; } = new(File.ReadAllText(The_committed_openapi_document.CommittedPath));

    /// <summary>The schema of the <c>application/json</c> answer <paramref name="status"/> of an operation, as the
    /// document names it (<c>get</c>, <c>/api/runs/{id}</c>).</summary>
    public JsonSchema Answer(string method, string pathTemplate, int status = 200) =>
        built.GetOrAdd($"{method} {pathTemplate} {status}", _ =>
        {
            var operation = document["paths"]?[pathTemplate]?[method.ToLowerInvariant()]
                ?? throw new InvalidOperationException($"openapi.json has no operation {method} {pathTemplate}");
            var schema = operation["responses"]?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)]?["content"]?["application/json"]?["schema"]
                ?? throw new InvalidOperationException($"openapi.json gives {method} {pathTemplate} no application/json {status} answer");
            var root = new JsonObject
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["$defs"] = PointAtDefs(document["components"]!["schemas"]!.DeepClone()),
                ["allOf"] = new JsonArray(PointAtDefs(schema.DeepClone())),
            };
            using var json = JsonDocument.Parse(root.ToJsonString());
            // A base address of its own: each schema is registered once, none replaces another.
            return JsonSchema.Build(json.RootElement.Clone(), null, new Uri($"https://billing.test/openapi/{Guid.NewGuid()}"));
        });

    /// <summary>The problems of <paramref name="answer"/> against the schema, one line each ("/lines/0: required:
    /// Required properties [\"amount_minor\"] are not present"); empty when it is valid.</summary>
    public static IReadOnlyList<string> Problems(JsonSchema schema, JsonElement answer)
    {
        var results = schema.Evaluate(answer, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid) return [];
        var problems = (results.Details ?? []).Append(results)
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))
            .Distinct().ToList();
        return problems.Count > 0 ? problems : ["not valid (no error message)"];
    }

    private static JsonNode? PointAtDefs(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                    if (key == "$ref" && value?.GetValueKind() == JsonValueKind.String && value.GetValue<string>().StartsWith(ComponentsPrefix, StringComparison.Ordinal))
                        o[key] = "#/$defs/" + value.GetValue<string>()[ComponentsPrefix.Length..];
                    else PointAtDefs(value);
                break;
            case JsonArray a:
                foreach (var item in a) PointAtDefs(item);
                break;
        }
        return node;
    }
}
