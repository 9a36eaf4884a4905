using System.Globalization;
using System.Text;
using RabbitMQ.Client;

namespace Billing.Redrive;

/// <summary>AMQP header values arrive as byte[] (strings), numbers, AmqpTimestamp or nested tables; read them leniently.</summary>
internal static class HeaderValues
{
    public static object? Get(IDictionary<string, object?>? headers, string name)
    {
        if (headers is null) return null;
        if (headers.TryGetValue(name, out var value)) return value;
        foreach (var pair in headers)
            if (pair.Key.Equals(name, StringComparison.OrdinalIgnoreCase)) return pair.Value;
        return null;
    }

    public static string? String(IDictionary<string, object?>? headers, string name) => AsString(Get(headers, name));

    public static string? AsString(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        AmqpTimestamp ts => DateTimeOffset.FromUnixTimeSeconds(ts.UnixTime).ToString("O", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>A header value as text for people: nested tables and lists (x-death) written out, not their type names.</summary>
    public static string? Render(object? value) => value switch
    {
        null => null,
        byte[] or string or AmqpTimestamp => AsString(value),
        IDictionary<string, object?> table => "{" + string.Join(", ", table.Select(e => $"{e.Key}: {Render(e.Value)}")) + "}",
        System.Collections.IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Render)) + "]",
        _ => AsString(value),
    };

    public static long? Long(IDictionary<string, object?>? headers, string name) => Get(headers, name) switch
    {
        null => null,
        byte b => b,
        sbyte sb => sb,
        short s => s,
        ushort us => us,
        int i => i,
        uint ui => ui,
        long l => l,
        ulong ul => (long)ul,
        var other => long.TryParse(AsString(other), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null,
    };

    public static DateTimeOffset? Timestamp(IDictionary<string, object?>? headers, string name) => Get(headers, name) switch
    {
        null => null,
        AmqpTimestamp ts => DateTimeOffset.FromUnixTimeSeconds(ts.UnixTime),
        var other => DateTimeOffset.TryParse(AsString(other), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null,
    };
}
