using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Billing.Catalogue.Json;

/// <summary>Reads a quantity or price given as a JSON number (0.0005) or string ("0.0005"); writes a string
/// without trailing zeros, because JSON tools that turn numbers into doubles would not keep 12 decimals.</summary>
public sealed class DecimalStringConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDecimal(out var number)) return number;
        if (reader.TokenType == JsonTokenType.String && DecimalText.TryParse(reader.GetString(), out var parsed)) return parsed;
        throw new FieldJsonException("must be a decimal number or a string holding one, such as \"0.0005\"");
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
        writer.WriteStringValue(DecimalText.Format(value));
}

/// <summary>Invariant, sign and decimal point only: "1,5", " 2", "0x10", "NaN" and "1e3" are not quantities.</summary>
public static class DecimalText
{
    public static bool TryParse(string? text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);

    /// <summary>2.500000000000 (as numeric(30,12) returns it) → "2.5"; 0.000000000001 stays.</summary>
    public static string Format(decimal value) =>
        (value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);
}
