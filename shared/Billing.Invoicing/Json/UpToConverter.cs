using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Billing.Invoicing.Json;

/// <summary>A tier's upper bound: a number, or null / "inf" for the open last tier (Stripe's spelling).
/// Written as a number or null.</summary>
internal sealed class UpToConverter : JsonConverter<decimal?>
{
    public override bool HandleNull => true;

    public override decimal? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDecimal(out var number)) return number;
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString();
            if (text == "inf") return null;
            if (FlexibleDecimalConverter.TryParse(text, out var parsed)) return parsed;
        }
        throw new JsonException("expected a number, null or \"inf\"");
    }

    public override void Write(Utf8JsonWriter writer, decimal? value, JsonSerializerOptions options)
    {
        if (value is { } v) writer.WriteRawValue(v.ToString(CultureInfo.InvariantCulture), skipInputValidation: true);
        else writer.WriteNullValue();
    }
}
