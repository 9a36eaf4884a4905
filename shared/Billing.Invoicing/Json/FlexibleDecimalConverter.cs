using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Billing.Invoicing.Json;

/// <summary>Reads a price given as a JSON number (0.0005) or string ("0.0005"); writes a string, because
/// many JSON tools turn numbers into doubles and 0.0005 would not survive the trip.</summary>
internal sealed class FlexibleDecimalConverter : JsonConverter<decimal?>
{
    public override decimal? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.Number when reader.TryGetDecimal(out var number) => number,
            JsonTokenType.String when TryParse(reader.GetString(), out var parsed) => parsed,
            _ => throw new JsonException("expected a decimal number or a string holding one"),
        };

    public override void Write(Utf8JsonWriter writer, decimal? value, JsonSerializerOptions options)
    {
        if (value is { } v) writer.WriteStringValue(v.ToString(CultureInfo.InvariantCulture));
        else writer.WriteNullValue();
    }

    internal static bool TryParse(string? text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out value);
}
