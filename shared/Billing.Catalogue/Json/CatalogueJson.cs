using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Billing.Invoicing;

namespace Billing.Catalogue.Json;

/// <summary>
/// Reads request bodies strictly (snake_case, no unknown fields, no numbers in strings except prices) and turns
/// every reading problem into a <see cref="DomainValidationException"/> naming the field, e.g. <c>records[3].quantity</c>.
/// Binding the body by hand rather than through minimal-API parameters is what makes that possible: the framework's
/// own binder answers a bare 400 without saying which field was wrong.
/// </summary>
public static partial class CatalogueJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 32,
        Converters = { new DecimalStringConverter(), new TimestampConverter(), new DateConverter() },
    };

    public static async Task<T> ReadAsync<T>(Stream body, CancellationToken ct) where T : class
    {
        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync<T>(body, Options, ct);
        }
        catch (JsonException e)
        {
            var (field, message) = Describe(e);
            throw new DomainValidationException(field, message);
        }
        return value ?? throw new DomainValidationException("body", "must be a JSON object, not null");
    }

    /// <summary>The body as a JSON value, for requests where an absent field and a null one mean different things (PATCH).</summary>
    public static async Task<JsonElement> ReadElementAsync(Stream body, CancellationToken ct)
    {
        try
        {
            using var doc = await JsonDocument.ParseAsync(body, new JsonDocumentOptions { MaxDepth = 32 }, ct);
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            var (field, message) = Describe(e);
            throw new DomainValidationException(field, message);
        }
    }

    public static T Read<T>(string json) where T : class
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        return ReadAsync<T>(stream, CancellationToken.None).GetAwaiter().GetResult();
    }

    internal static (string Field, string Message) Describe(JsonException e)
    {
        var field = FieldOf(e.Path);
        if (field.Length == 0) field = "body";
        if (e is FieldJsonException) return (field, e.Message);
        var message = e.Message;
        if (UnknownProperty().Match(message) is { Success: true } unknown)
            // The path already ends in the unknown name ("$.base_fee"); older serializers stop at its parent.
            return (field.EndsWith(unknown.Groups[1].Value, StringComparison.Ordinal) ? field : Join(field, unknown.Groups[1].Value), "is not a known field");
        if (Conversion().Match(message) is { Success: true } conversion)
            return (field, Expected(conversion.Groups[1].Value));
        if (e.Path is null or "$" && e.LineNumber is null or 0 && e.BytePositionInLine is null or 0 && message.Contains("input does not contain any JSON"))
            return ("body", "is required: send a JSON object");
        return (field,
            $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine}): {FirstSentence(message)}");
    }

    private static string Expected(string type) =>
        type.Contains("System.String") ? "must be a string"
        : type.Contains("System.Int64") || type.Contains("System.Int32") ? "must be a whole number"
        : type.Contains("System.Guid") ? "must be a UUID such as \"0193f2a4-6f1e-7cc1-9d2b-4e1f8a3c5b6d\""
        : type.Contains("System.Boolean") ? "must be true or false"
        : type.Contains("[]") || type.Contains("List") ? "must be an array"
        : "must be an object";

    // "$.records[3].quantity" → "records[3].quantity"; "$" → "".
    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    private static string Join(string parent, string name) => parent is "" or "body" ? name : $"{parent}.{name}";

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (end < 0) end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }

    [GeneratedRegex("^The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnknownProperty();

    [GeneratedRegex("^The JSON value could not be converted to ([^ ]+)\\.")]
    private static partial Regex Conversion();
}
