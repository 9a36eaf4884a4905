using System.Buffers.Binary;
using System.Net;
using Billing.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Billing.Bench.Pipeline;

/// <summary>
/// An OTLP receiver that keeps nothing: it speaks OTLP over gRPC as the quick start's exporters do (HTTP/2 without TLS,
/// the three collector services' Export calls), reads each request and counts the spans, log records and metrics in
/// it, and answers OK. It stands for a collector or backend on another machine, as in production: what the services
/// pay for exporting is measured without the cost of a store on the same 2 cores. It runs in the benchmark's process,
/// so its own CPU is still counted (as the benchmark's) in the machine's figures.
/// </summary>
public sealed class OtlpCounter : IAsyncDisposable
{
    private readonly WebApplication app;
    private long spans, logs, metrics, requests;

    private OtlpCounter(WebApplication app, int port)
    {
        this.app = app;
        Endpoint = $"http://127.0.0.1:{port}";
    }

    public string Endpoint { get; }

    public (long Spans, long Logs, long Metrics, long Requests) Counts =>
        (Interlocked.Read(ref spans), Interlocked.Read(ref logs), Interlocked.Read(ref metrics), Interlocked.Read(ref requests));

    /// <summary>The quick start's exporter settings, pointed here.</summary>
    public IReadOnlyDictionary<string, string?> ExporterSettings => new Dictionary<string, string?>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
    };

    public static async Task<OtlpCounter> StartAsync()
    {
        var port = ServiceProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2);
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var counter = new OtlpCounter(app, port);
        // resource_* (1) → scope_* (2) → spans / log_records / metrics (2), in each service's request message.
        app.MapPost("/opentelemetry.proto.collector.trace.v1.TraceService/Export", c => counter.ExportAsync(c, n => Interlocked.Add(ref counter.spans, n)));
        app.MapPost("/opentelemetry.proto.collector.logs.v1.LogsService/Export", c => counter.ExportAsync(c, n => Interlocked.Add(ref counter.logs, n)));
        app.MapPost("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", c => counter.ExportAsync(c, n => Interlocked.Add(ref counter.metrics, n)));
        await app.StartAsync();
        return counter;
    }

    private async Task ExportAsync(HttpContext context, Action<long> add)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        context.Response.ContentType = "application/grpc";
        // One length-prefixed message per call: a compressed flag byte, then a 4-byte big-endian length.
        if (body.Length < 5 || body.Span[0] != 0 || BinaryPrimitives.ReadUInt32BigEndian(body.Span[1..5]) != body.Length - 5)
        {
            context.Response.AppendTrailer("grpc-status", "3");
            context.Response.AppendTrailer("grpc-message", "expected one uncompressed message");
            return;
        }
        add(CountLeaves(body.Span[5..]));
        Interlocked.Increment(ref requests);
        // An empty Export*ServiceResponse, then the status.
        await context.Response.Body.WriteAsync(new byte[5]);
        context.Response.AppendTrailer("grpc-status", "0");
    }

    /// <summary>The leaves of an OTLP export request (spans, log records or metrics): the field-2 messages inside the
    /// field-2 messages inside the field-1 messages (resource_* → scope_* → leaves).</summary>
    private static long CountLeaves(ReadOnlySpan<byte> message, int depth = 0)
    {
        long n = 0;
        var i = 0;
        while (i < message.Length)
        {
            var key = Varint(message, ref i);
            switch (key & 7)
            {
                case 0: Varint(message, ref i); break;
                case 1: i += 8; break;
                case 5: i += 4; break;
                case 2:
                    var length = (int)Varint(message, ref i);
                    if ((int)(key >> 3) == (depth == 0 ? 1 : 2))
                        n += depth == 2 ? 1 : CountLeaves(message.Slice(i, length), depth + 1);
                    i += length;
                    break;
                default: throw new InvalidDataException($"protobuf wire type {key & 7} at byte {i}");
            }
        }
        return n;
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
