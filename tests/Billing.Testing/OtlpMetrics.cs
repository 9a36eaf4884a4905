namespace Billing.Testing;

/// <summary>
/// One data point as exported over OTLP: a sum or gauge (<see cref="Value"/>) or a histogram (<see cref="Count"/>,
/// <see cref="Sum"/>); cumulative, so the latest point of a series is its total so far.
/// </summary>
public sealed record ExportedMetricPoint(string Service, string Scope, string Name, string Kind,
    IReadOnlyDictionary<string, string> Attributes, double Value, ulong Count, double Sum, ulong TimeUnixNano)
{
    public bool Has(string key, string value) => Attributes.TryGetValue(key, out var v) && v == value;
}

public static class ExportedMetrics
{
    /// <summary>
    /// The latest point of each series (service + attributes) of metric <paramref name="name"/> that carries every
    /// tag in <paramref name="tags"/>.
    /// </summary>
    public static IReadOnlyList<ExportedMetricPoint> Latest(this OtlpTraceReceiver receiver, string name, params (string Key, string Value)[] tags) =>
        receiver.MetricPoints
            .Where(p => p.Name == name && tags.All(t => p.Has(t.Key, t.Value)))
            .GroupBy(p => p.Service + "|" + string.Join(",", p.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Key + "=" + a.Value)))
            .Select(g => g.MaxBy(p => p.TimeUnixNano)!)
            .ToList();
}

/// <summary>
/// The metrics part of OTLP (opentelemetry/proto/metrics/v1): resource_metrics → scope_metrics → metrics → gauge,
/// sum or histogram → data points with attributes.
/// </summary>
internal static partial class OtlpProtobuf
{
    public static IEnumerable<ExportedMetricPoint> ReadMetricPoints(byte[] message)
    {
        var points = new List<ExportedMetricPoint>();
        foreach (var (field, resourceMetrics) in Fields(message))
        {
            if (field != 1) continue;
            var service = "";
            var scopes = new List<byte[]>();
            foreach (var (f, value) in Fields(resourceMetrics))
            {
                if (f == 1) service = ServiceName(value);
                else if (f == 2) scopes.Add(value);
            }
            foreach (var scopeMetrics in scopes)
            {
                var scope = "";
                var metrics = new List<byte[]>();
                foreach (var (f, value) in Fields(scopeMetrics))
                {
                    if (f == 1) scope = Fields(value).Where(x => x.Field == 1).Select(x => Text(x.Value)).FirstOrDefault() ?? "";
                    else if (f == 2) metrics.Add(value);
                }
                foreach (var metric in metrics) points.AddRange(ReadMetric(metric, service, scope));
            }
        }
        return points;
    }

    private static IEnumerable<ExportedMetricPoint> ReadMetric(byte[] metric, string service, string scope)
    {
        var name = "";
        var data = new List<(string Kind, byte[] Body)>();
        foreach (var (f, value) in Fields(metric))
        {
            switch (f)
            {
                case 1: name = Text(value); break;
                case 5: data.Add(("gauge", value)); break;
                case 7: data.Add(("sum", value)); break;
                case 9: data.Add(("histogram", value)); break;
            }
        }
        foreach (var (kind, body) in data)
            foreach (var (f, point) in Fields(body))
                if (f == 1)
                    yield return kind == "histogram" ? ReadHistogramPoint(point, service, scope, name) : ReadNumberPoint(point, service, scope, name, kind);
    }

    private static ExportedMetricPoint ReadNumberPoint(byte[] point, string service, string scope, string name, string kind)
    {
        var attributes = new Dictionary<string, string>();
        double value = 0;
        ulong time = 0;
        var reader = new Reader(point);
        while (reader.More)
        {
            var (field, wire) = reader.Tag();
            if (field == 7 && wire == 2) AddAttribute(attributes, reader.Bytes());
            else if (field == 3 && wire == 1) time = reader.Fixed64();
            else if (field == 4 && wire == 1) value = BitConverter.UInt64BitsToDouble(reader.Fixed64());
            else if (field == 6 && wire == 1) value = (long)reader.Fixed64();
            else reader.Skip(wire);
        }
        return new ExportedMetricPoint(service, scope, name, kind, attributes, value, 0, 0, time);
    }

    private static ExportedMetricPoint ReadHistogramPoint(byte[] point, string service, string scope, string name)
    {
        var attributes = new Dictionary<string, string>();
        ulong count = 0, time = 0;
        double sum = 0;
        var reader = new Reader(point);
        while (reader.More)
        {
            var (field, wire) = reader.Tag();
            if (field == 9 && wire == 2) AddAttribute(attributes, reader.Bytes());
            else if (field == 3 && wire == 1) time = reader.Fixed64();
            else if (field == 4 && wire == 1) count = reader.Fixed64();
            else if (field == 5 && wire == 1) sum = BitConverter.UInt64BitsToDouble(reader.Fixed64());
            else reader.Skip(wire);
        }
        return new ExportedMetricPoint(service, scope, name, "histogram", attributes, 0, count, sum, time);
    }

    /// <summary>A KeyValue whose AnyValue is a string, bool, int or double, kept as text.</summary>
    private static void AddAttribute(Dictionary<string, string> attributes, byte[] keyValue)
    {
        var key = "";
        var text = "";
        var reader = new Reader(keyValue);
        while (reader.More)
        {
            var (field, wire) = reader.Tag();
            if (field == 1 && wire == 2) key = Text(reader.Bytes());
            else if (field == 2 && wire == 2) text = AnyValueText(reader.Bytes());
            else reader.Skip(wire);
        }
        attributes[key] = text;
    }

    private static string AnyValueText(byte[] anyValue)
    {
        var reader = new Reader(anyValue);
        while (reader.More)
        {
            var (field, wire) = reader.Tag();
            switch (field, wire)
            {
                case (1, 2): return Text(reader.Bytes());
                case (2, 0): return reader.Varint() != 0 ? "true" : "false";
                case (3, 0): return ((long)reader.Varint()).ToString(System.Globalization.CultureInfo.InvariantCulture);
                case (4, 1): return BitConverter.UInt64BitsToDouble(reader.Fixed64()).ToString(System.Globalization.CultureInfo.InvariantCulture);
                default: reader.Skip(wire); break;
            }
        }
        return "";
    }
}
