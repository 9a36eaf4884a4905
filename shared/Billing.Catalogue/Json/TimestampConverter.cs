using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Billing.Catalogue.Json;

/// <summary>ISO 8601 with an explicit offset ("2026-10-05T12:00:00Z", "…+02:00"). Without one the instant would
/// depend on the server's time zone and could land usage in the wrong month, so it is refused. At most
/// microseconds (what timestamptz keeps), so a resent record compares equal to the stored one.</summary>
public sealed partial class TimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && TryParse(reader.GetString(), out var value)) return value;
        throw new FieldJsonException("must be an ISO 8601 timestamp with a time zone, such as \"2026-10-05T12:00:00Z\"");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is not null && ExplicitOffset().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex ExplicitOffset();
}
