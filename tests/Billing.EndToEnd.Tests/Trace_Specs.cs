using Billing.EndToEnd.Tests.Infrastructure;
using Billing.Testing;

namespace Billing.EndToEnd.Tests;

/// <summary>Journey 3: one invoice is one trace across every service, rooted at the generator, with the stored id.</summary>
public sealed class When_an_invoice_is_traced_across_the_services : IAsyncLifetime
{
    private const int Accounts = 30;
    private static readonly string[] Services = ["invoice-generator", "pdf-renderer", "mailer", "accounting-sync"];
    private Pipeline pipeline = null!;
    private OtlpTraceReceiver otlp = null!;

    public async Task InitializeAsync()
    {
        otlp = await OtlpTraceReceiver.StartAsync();
        pipeline = await Pipeline.CreateAsync("e2etrace");
        foreach (var (k, v) in otlp.ExporterSettings()) pipeline.Environment[k] = v;
        pipeline.StartSmtp();
        await Seed.RunAsync(pipeline.Db.DataSource, Accounts, Pipeline.Period);
        await pipeline.StartAllAsync();
    }

    public async Task DisposeAsync()
    {
        await pipeline.DisposeAsync();
        await otlp.DisposeAsync();
    }

    [Fact]
    public async Task Does_link_generator_renderer_mailer_and_accounting_spans_into_the_stored_trace()
    {
        var (exit, output) = await pipeline.CliAsync(TimeSpan.FromMinutes(10), "run", "start", "--period", Pipeline.Period, "--watch");
        Assert.True(exit == 0, $"billing run start --watch exited {exit}:\n{output}\n{pipeline.Logs()}");
        var runId = await pipeline.RunIdAsync();
        var invoice = (await pipeline.InvoicesAsync(runId)).OrderBy(i => i.Number, StringComparer.Ordinal).First();
        Assert.Matches("^[0-9a-f]{32}$", invoice.TraceId ?? "");
        var traceId = invoice.TraceId!;

        // Spans arrive in batches from four processes: wait until every service has exported and every parent is in.
        var spans = await Eventually.Until(
            () => Task.FromResult(otlp.Trace(traceId)),
            s => Services.All(name => s.Any(x => x.Service == name)) && Dangling(s).Count == 0,
            TimeSpan.FromMinutes(2));

        Assert.All(spans, s => Assert.Equal(traceId, s.TraceId));
        var root = Assert.Single(spans, s => s.ParentSpanId.Length == 0 || s.ParentSpanId.All(c => c == '0'));
        Assert.Equal("invoice-generator", root.Service);
        Assert.Empty(Dangling(spans));

        var byId = spans.ToDictionary(s => s.SpanId);
        var mailer = spans.Where(s => s.Service == "mailer").ToList();
        Assert.NotEmpty(mailer);
        foreach (var start in mailer)
        {
            var chain = Compress(Ancestors(start, byId));
            Assert.True(IsSubsequence(["mailer", "pdf-renderer", "invoice-generator"], chain),
                $"mailer span {start.Name} does not lead up through the renderer to the generator: {string.Join(" ← ", chain)}");
        }
        var accounting = spans.Where(s => s.Service == "accounting-sync").ToList();
        Assert.NotEmpty(accounting);
        foreach (var start in accounting)
        {
            var chain = Compress(Ancestors(start, byId));
            Assert.True(IsSubsequence(["accounting-sync", "invoice-generator"], chain),
                $"accounting-sync span {start.Name} does not lead up to the generator: {string.Join(" ← ", chain)}");
        }
    }

    private static List<ExportedSpan> Dangling(IReadOnlyList<ExportedSpan> spans)
    {
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        return spans.Where(s => s.ParentSpanId.Length > 0 && !s.ParentSpanId.All(c => c == '0') && !ids.Contains(s.ParentSpanId)).ToList();
    }

    /// <summary>The services from a span up to the root, following parent_span_id.</summary>
    private static List<string> Ancestors(ExportedSpan span, Dictionary<string, ExportedSpan> byId)
    {
        var services = new List<string>();
        for (ExportedSpan? s = span; s is not null; s = byId.GetValueOrDefault(s.ParentSpanId))
        {
            services.Add(s.Service);
            if (services.Count > 1000) throw new InvalidOperationException("parent cycle");
        }
        return services;
    }

    private static List<string> Compress(List<string> services) =>
        services.Where((s, i) => i == 0 || services[i - 1] != s).ToList();

    private static bool IsSubsequence(string[] wanted, List<string> chain)
    {
        var i = 0;
        foreach (var s in chain)
            if (i < wanted.Length && s == wanted[i]) i++;
        return i == wanted.Length;
    }
}
