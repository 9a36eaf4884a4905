using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Billing.Testing;

/// <summary>One span as exported over OTLP by a service (attributes kept as text).</summary>
public sealed record ExportedSpan(string Service, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, string Scope,
    IReadOnlyDictionary<string, string>? Attributes = null, IReadOnlyList<SpanLink>? Links = null)
{
    public string? Attribute(string key) => Attributes is not null && Attributes.TryGetValue(key, out var v) ? v : null;
}

public sealed record SpanLink(string TraceId, string SpanId);

/// <summary>One log record as exported over OTLP by a service.</summary>
public sealed record ExportedLog(string Service, string TraceId, string SpanId, string Body, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// A real OTLP/HTTP endpoint (protobuf, <c>/v1/traces</c>) on 127.0.0.1 that keeps every span the services export.
/// Services point at it with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> and <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>.
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    public ConcurrentQueue<ExportedSpan> Spans { get; } = new();
    public ConcurrentQueue<ExportedMetricPoint> MetricPoints { get; } = new();
    public ConcurrentQueue<ExportedLog> Logs { get; } = new();

    private OtlpTraceReceiver(WebApplication app) => this.app = app;

    public string Endpoint => app.Urls.First();

    /// <summary>Settings for a service process that exports here, flushing twice a second.</summary>
    public IDictionary<string, string?> ExporterSettings() => new Dictionary<string, string?>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "500",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "2000",
    };

    public static async Task<OtlpTraceReceiver> StartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpTraceReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            foreach (var span in OtlpProtobuf.ReadSpans(buffer.ToArray())) receiver.Spans.Enqueue(span);
            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            foreach (var point in OtlpProtobuf.ReadMetricPoints(buffer.ToArray())) receiver.MetricPoints.Enqueue(point);
            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/logs", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            foreach (var log in OtlpProtobuf.ReadLogs(buffer.ToArray())) receiver.Logs.Enqueue(log);
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        return receiver;
    }

    public IReadOnlyList<ExportedSpan> Trace(string traceId) => Spans.Where(s => s.TraceId == traceId).ToList();

    public ValueTask DisposeAsync() => app.DisposeAsync();
}

/// <summary>
/// Just enough of the protobuf wire format to read spans from an OTLP ExportTraceServiceRequest
/// (opentelemetry/proto/collector/trace/v1): resource_spans → resource.attributes[service.name], scope_spans → spans.
/// </summary>
internal static partial class OtlpProtobuf
{
    public static IEnumerable<ExportedSpan> ReadSpans(byte[] message)
    {
        foreach (var (field, resourceSpans) in Fields(message))
        {
            if (field != 1) continue;
            var service = "";
            var scopes = new List<byte[]>();
            foreach (var (f, value) in Fields(resourceSpans))
            {
                if (f == 1) service = ServiceName(value);
                else if (f == 2) scopes.Add(value);
            }
            foreach (var scopeSpans in scopes)
            {
                var scope = "";
                var spans = new List<byte[]>();
                foreach (var (f, value) in Fields(scopeSpans))
                {
                    if (f == 1) scope = Fields(value).Where(x => x.Field == 1).Select(x => Text(x.Value)).FirstOrDefault() ?? "";
                    else if (f == 2) spans.Add(value);
                }
                foreach (var span in spans) yield return ReadSpan(span, service, scope);
            }
        }
    }

    /// <summary>Log records of an ExportLogsServiceRequest: resource_logs → scope_logs → log_records.</summary>
    public static IEnumerable<ExportedLog> ReadLogs(byte[] message)
    {
        var logs = new List<ExportedLog>();
        foreach (var (field, resourceLogs) in Fields(message))
        {
            if (field != 1) continue;
            var service = "";
            var scopes = new List<byte[]>();
            foreach (var (f, value) in Fields(resourceLogs))
            {
                if (f == 1) service = ServiceName(value);
                else if (f == 2) scopes.Add(value);
            }
            foreach (var scopeLogs in scopes)
                foreach (var (f, record) in Fields(scopeLogs))
                    if (f == 2) logs.Add(ReadLog(record, service));
        }
        return logs;
    }

    private static ExportedLog ReadLog(byte[] record, string service)
    {
        string traceId = "", spanId = "", body = "";
        var attributes = new Dictionary<string, string>();
        var reader = new Reader(record);
        while (reader.More)
        {
            var (field, wire) = reader.Tag();
            if (wire != 2) { reader.Skip(wire); continue; }
            var value = reader.Bytes();
            switch (field)
            {
                case 5: body = AnyValueText(value); break;
                case 6: AddAttribute(attributes, value); break;
                case 9: traceId = Convert.ToHexStringLower(value); break;
                case 10: spanId = Convert.ToHexStringLower(value); break;
            }
        }
        return new ExportedLog(service, traceId, spanId, body, attributes);
    }

    private static SpanLink ReadLink(byte[] link)
    {
        string traceId = "", spanId = "";
        foreach (var (f, value) in Fields(link))
        {
            if (f == 1) traceId = Convert.ToHexStringLower(value);
            else if (f == 2) spanId = Convert.ToHexStringLower(value);
        }
        return new SpanLink(traceId, spanId);
    }

    private static ExportedSpan ReadSpan(byte[] span, string service, string scope)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var attributes = new Dictionary<string, string>();
        var links = new List<SpanLink>();
        var reader = new Reader(span);
        while (reader.More)
        {
            var (field, wire) = reader.Tag();
            if (wire == 2)
            {
                var value = reader.Bytes();
                switch (field)
                {
                    case 1: traceId = Convert.ToHexStringLower(value); break;
                    case 2: spanId = Convert.ToHexStringLower(value); break;
                    case 4: parent = Convert.ToHexStringLower(value); break;
                    case 5: name = Text(value); break;
                    case 9: AddAttribute(attributes, value); break;
                    case 13: links.Add(ReadLink(value)); break;
                }
            }
            else if (wire == 0)
            {
                var value = reader.Varint();
                if (field == 6) kind = (int)value;
            }
            else reader.Skip(wire);
        }
        return new ExportedSpan(service, traceId, spanId, parent, name, kind, scope, attributes, links);
    }

    private static string ServiceName(byte[] resource)
    {
        foreach (var (f, kv) in Fields(resource))
        {
            if (f != 1) continue;
            string key = "", value = "";
            foreach (var (kf, kvalue) in Fields(kv))
            {
                if (kf == 1) key = Text(kvalue);
                else if (kf == 2) value = Fields(kvalue).Where(x => x.Field == 1).Select(x => Text(x.Value)).FirstOrDefault() ?? "";
            }
            if (key == "service.name") return value;
        }
        return "";
    }

    private static string Text(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes);

    /// <summary>The length-delimited fields of a message (the only kind the structure above needs).</summary>
    private static IEnumerable<(int Field, byte[] Value)> Fields(byte[] message)
    {
        var reader = new Reader(message);
        var result = new List<(int, byte[])>();
        while (reader.More)
        {
            var (field, wire) = reader.Tag();
            if (wire == 2) result.Add((field, reader.Bytes()));
            else reader.Skip(wire);
        }
        return result;
    }

    private sealed class Reader(byte[] data)
    {
        private int position;
        public bool More => position < data.Length;

        public (int Field, int Wire) Tag()
        {
            var tag = Varint();
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public ulong Varint()
        {
            ulong result = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = data[position++];
                result |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return result;
            }
        }

        public ulong Fixed64()
        {
            var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(position, 8));
            position += 8;
            return value;
        }

        public byte[] Bytes()
        {
            var length = (int)Varint();
            var value = data.AsSpan(position, length).ToArray();
            position += length;
            return value;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: position += 8; break;
                case 2: Bytes(); break;
                case 5: position += 4; break;
                default: throw new InvalidDataException($"unsupported protobuf wire type {wire}");
            }
        }
    }
}
