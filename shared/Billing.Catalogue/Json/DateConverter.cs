using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Billing.Catalogue.Json;

/// <summary>A calendar day written yyyy-MM-dd ("2026-11-12"), nothing else: billing dates are whole UTC days.</summary>
public sealed class DateConverter : JsonConverter<DateOnly>
{
    public override DateOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && TryParse(reader.GetString(), out var day)) return day;
        throw new FieldJsonException("must be a date written yyyy-MM-dd, such as \"2026-11-12\"");
    }

    public override void Write(Utf8JsonWriter writer, DateOnly value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    public static bool TryParse(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
}
