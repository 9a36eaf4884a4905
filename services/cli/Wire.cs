using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Billing.Api.Contracts;

namespace Billing.Cli;

/// <summary>
/// A value of an answer's record written as the admin API writes it in its JSON (<see cref="ApiJson"/>), for the
/// places that show a value as it came: a timestamp "2026-10-31T08:00:00.123456Z" (or "…+00:00" for an offset), a day
/// "2026-10-31", a decimal "7.5", an id, a count, true or false. A value that is absent (null) is "".
/// </summary>
public static class Wire
{
    // System.Text.Json writes the round-trip format with the trailing zeros of the fraction (and its point) left out.
    private const string Timestamp = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFK";

    public static string Text(string? value) => value ?? "";

    public static string Text(Guid? value) => value?.ToString() ?? "";

    public static string Text(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    public static string Text(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>A decimal as <see cref="DecimalStringConverter"/> writes it: plain, without trailing zeros.</summary>
    public static string Text(decimal? value) => value is { } d ? DecimalStringConverter.Format(d) : "";

    /// <summary>A plan's price as <see cref="ExactDecimalStringConverter"/> writes it: with the scale it was given.</summary>
    public static string Exact(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    public static string Text(bool value) => value ? "true" : "false";

    public static string Text(DateTime? value) => value?.ToString(Timestamp, CultureInfo.InvariantCulture) ?? "";

    public static string Text(DateTimeOffset? value) => value?.ToString(Timestamp, CultureInfo.InvariantCulture) ?? "";

    public static string Text(DateOnly? value) => value?.ToString("yyyy'-'MM'-'dd", CultureInfo.InvariantCulture) ?? "";

    /// <summary>JSON carried as it is (an error's payload): a string as its text, an array as its items joined by
    /// ", ", anything else as its JSON text.</summary>
    public static string Text(JsonElement? value) => value switch
    {
        null => "",
        { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => "",
        { ValueKind: JsonValueKind.String } v => v.GetString() ?? "",
        { ValueKind: JsonValueKind.Array } v => string.Join(", ", v.EnumerateArray().Select(x => x.ToString())),
        { } v => v.GetRawText(),
    };

    /// <summary>A record as the JSON text the admin API writes for it in an answer: <see cref="ApiJson"/>'s conventions
    /// with ASP.NET Core's relaxed escaping of HTTP answers (e.g. a redrive's filter in the audit).</summary>
    public static string Json<T>(T value) => JsonSerializer.Serialize(value, AnswerJson);

    private static readonly JsonSerializerOptions AnswerJson =
        ApiJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
