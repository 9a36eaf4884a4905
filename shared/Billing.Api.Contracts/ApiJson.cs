using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Billing.Api.Contracts;

/// <summary>
/// How the admin API writes and reads JSON: snake_case names, dictionary keys as they are (stage names, queue names),
/// and every decimal (quantities, prices, tax rates) as a string such as "0.0000005", never as a JSON number that a
/// client reading doubles would round or print as 5E-07. Money is never a decimal: it is integer minor units next to
/// an ISO 4217 currency code (<c>total_minor</c> 1250 with <c>currency</c> "EUR" is €12.50).
/// </summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Sets the admin API's conventions on <paramref name="options"/> (the API's HTTP options, the CLI's).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        if (!options.Converters.OfType<DecimalStringConverter>().Any()) options.Converters.Add(new DecimalStringConverter());
        return options;
    }
}

/// <summary>A decimal written as a JSON string in plain notation without trailing zeros ("0.0000005", "19", "12.5");
/// read from such a string or from a JSON number.</summary>
public sealed class DecimalStringConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDecimal(out var number)) return number;
        if (reader.TokenType == JsonTokenType.String && TryParse(reader.GetString(), out var parsed)) return parsed;
        throw new JsonException("expected a decimal written as a string such as \"12.50\"");
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    /// <summary>Plain notation without trailing zeros: 0.000000500 → "0.0000005".</summary>
    public static string Format(decimal value) =>
        (value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
}

/// <summary>A price of a plan written as a JSON string exactly as it was given, its scale kept ("12.50" stays "12.50");
/// read from such a string or from a JSON number.</summary>
public sealed class ExactDecimalStringConverter : JsonConverter<decimal?>
{
    public override decimal? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDecimal(out var number)) return number;
        if (reader.TokenType == JsonTokenType.String && DecimalStringConverter.TryParse(reader.GetString(), out var parsed)) return parsed;
        throw new JsonException("expected a decimal written as a string such as \"12.50\"");
    }

    public override void Write(Utf8JsonWriter writer, decimal? value, JsonSerializerOptions options)
    {
        if (value is { } v) writer.WriteStringValue(v.ToString(CultureInfo.InvariantCulture));
        else writer.WriteNullValue();
    }
}
