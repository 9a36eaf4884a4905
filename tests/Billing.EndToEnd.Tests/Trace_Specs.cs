using Billing.EndToEnd.Tests.Infrastructure;
using Billing.Testing;

namespace Billing.EndToEnd.Tests;

/// <summary>Journey 3: one invoice is one trace across every service, rooted at the generator, with the stored id
/// (the shape is in <see cref="InvoiceTrace"/>; the same run read back from the dashboard is in Dashboard_Specs).</summary>
public sealed class When_an_invoice_is_traced_across_the_services : IAsyncLifetime
{
    private const int Accounts = 30;
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
        var invoices = await pipeline.InvoicesAsync(runId);
        Assert.Equal(Accounts, invoices.Select(i => i.TraceId).Distinct().Count());
        // Each invoice, not only the first: the first is the one whose context once leaked into the shared group work.
        foreach (var invoice in invoices.OrderBy(i => i.Number, StringComparer.Ordinal).Take(3))
        {
            Assert.Matches("^[0-9a-f]{32}$", invoice.TraceId ?? "");
            var spans = await Eventually.Until(() => Task.FromResult(otlp.Trace(invoice.TraceId!)), InvoiceTrace.IsComplete, TimeSpan.FromMinutes(2));
            InvoiceTrace.AssertShape(spans, invoice, runId, otlp.Spans.Where(s => InvoiceTrace.GroupSpans.Contains(s.Name)).ToList());

            // Logs written while the invoice's messages were handled carry its trace id and its ids as attributes.
            var logs = await Eventually.UntilValue(() => otlp.Logs.Where(l => l.TraceId == invoice.TraceId).ToList(),
                l => l.Any(x => x.Service == "pdf-renderer"), TimeSpan.FromMinutes(1));
            var rendered = Assert.Single(logs, l => l.Service == "pdf-renderer" && l.Body.StartsWith("Rendered invoice", StringComparison.Ordinal));
            Assert.Equal(invoice.Id.ToString("D"), rendered.Attributes.GetValueOrDefault("billing.invoice_id"));
            Assert.Equal(invoice.AccountId.ToString("D"), rendered.Attributes.GetValueOrDefault("billing.account_id"));
            Assert.Equal(runId.ToString("D"), rendered.Attributes.GetValueOrDefault("billing.run_id"));
        }

        // No invoice's trace, whichever came first, holds the generator's shared SQL or a span whose parent is missing.
        foreach (var invoice in invoices)
        {
            var spans = await Eventually.Until(() => Task.FromResult(otlp.Trace(invoice.TraceId!)), InvoiceTrace.IsComplete, TimeSpan.FromMinutes(1));
            Assert.DoesNotContain(spans, s => s.Service == "invoice-generator" && s.Scope == "Npgsql");
        }
    }
}
