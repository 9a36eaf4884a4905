namespace Billing.EndToEnd.Tests.Infrastructure;

/// <summary>
/// What the trace of one invoice must look like, whoever collected it (a test OTLP receiver or the dashboard): the
/// invoice's path — generate (consume → read → compute → store → publish InvoiceFinalized) → render → email, and → sync —
/// every span's parent present, nothing of other invoices, and work shared by a group of invoices as spans of their
/// own traces linked to this one.
/// </summary>
public static class InvoiceTrace
{
    public static readonly string[] Services = ["invoice-generator", "pdf-renderer", "mailer", "accounting-sync"];

    /// <summary>Spans of group work, which belong in their own traces.</summary>
    public static readonly string[] GroupSpans = ["read billing inputs", "store invoices", "sync invoices"];

    /// <summary>True once every service's part of the trace has arrived (spans come in batches from four processes).</summary>
    public static bool IsComplete(IReadOnlyList<ExportedSpan> spans) =>
        Services.All(name => spans.Any(x => x.Service == name))
        && spans.Any(s => s.Service == "mailer" && s.Name == "smtp send")
        && spans.Any(s => s.Service == "accounting-sync" && s.Name == "sync invoice")
        && spans.Any(s => IsPublishOf(s, "InvoiceFinalized"))
        && Dangling(spans).Count == 0;

    public static List<ExportedSpan> Dangling(IReadOnlyList<ExportedSpan> spans)
    {
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        return spans.Where(s => !IsRoot(s) && !ids.Contains(s.ParentSpanId)).ToList();
    }

    public static bool IsRoot(ExportedSpan s) => s.ParentSpanId.Length == 0 || s.ParentSpanId.All(c => c == '0');

    /// <summary>A MassTransit publish (producer) span of the message type.</summary>
    public static bool IsPublishOf(ExportedSpan s, string messageType) =>
        s.Scope == "MassTransit" && s.Kind == 4
        && (s.Name.Contains(messageType, StringComparison.Ordinal)
            || (s.Attribute("messaging.destination.name") ?? "").Contains(messageType, StringComparison.Ordinal));

    /// <summary>Asserts the shape of the trace of <paramref name="invoice"/>; <paramref name="groupSpans"/> are the spans of
    /// group work the collector holds (any trace), to find the ones linked to this trace.</summary>
    public static void AssertShape(IReadOnlyList<ExportedSpan> spans, Pipeline.InvoiceRow invoice, Guid runId, IReadOnlyList<ExportedSpan> groupSpans)
    {
        var traceId = invoice.TraceId!;
        Assert.All(spans, s => Assert.Equal(traceId, s.TraceId));
        var byId = spans.ToDictionary(s => s.SpanId);
        string Describe() => string.Join("\n", spans.Select(s => $"{s.Service} {s.Scope} '{s.Name}' {s.SpanId} ← {s.ParentSpanId}"));

        // One root, the generator's request for this invoice; every other span's parent is in the trace.
        var root = Assert.Single(spans, IsRoot);
        Assert.Equal("invoice-generator", root.Service);
        Assert.True(Dangling(spans).Count == 0, $"spans whose parent is not in the trace:\n{string.Join("\n", Dangling(spans).Select(s => $"{s.Service} '{s.Name}'"))}\n--- trace:\n{Describe()}");
        foreach (var service in Services) Assert.Contains(spans, s => s.Service == service);

        // generate: consume → read billing input, compute invoice, store invoice → publish InvoiceFinalized
        var consume = Assert.Single(spans, s => s.Service == "invoice-generator" && s.Scope == "MassTransit"
            && s.Attribute("messaging.operation") == "process" && s.Name.Contains("generate-invoice", StringComparison.Ordinal));
        foreach (var step in new[] { "read billing input", "compute invoice", "store invoice" })
        {
            var span = Assert.Single(spans, s => s.Service == "invoice-generator" && s.Name == step);
            Assert.Equal(consume.SpanId, span.ParentSpanId);
        }
        var finalized = Assert.Single(spans, s => s.Service == "invoice-generator" && IsPublishOf(s, "InvoiceFinalized"));
        Assert.Contains(consume.SpanId, Ancestors(finalized, byId).Select(s => s.SpanId));

        // → render → email (with its SMTP send), and → sync: each leads up through the publish of InvoiceFinalized.
        foreach (var service in new[] { "pdf-renderer", "mailer", "accounting-sync" })
            foreach (var span in spans.Where(s => s.Service == service))
                Assert.True(Ancestors(span, byId).Any(a => a.SpanId == finalized.SpanId),
                    $"{service} span '{span.Name}' does not lead up to the publish of InvoiceFinalized:\n{Describe()}");
        var mailerChain = Ancestors(Assert.Single(spans, s => s.Service == "mailer" && s.Name == "smtp send"), byId).Select(s => s.Service).ToList();
        Assert.Contains("pdf-renderer", mailerChain);
        Assert.Single(spans, s => s.Service == "accounting-sync" && s.Name == "sync invoice");
        // SQL of this invoice's own work, in the services that do it per invoice.
        Assert.Contains(spans, s => s.Service == "pdf-renderer" && s.Scope == "Npgsql");
        Assert.Contains(spans, s => s.Service == "mailer" && s.Scope == "Npgsql");

        // Nothing of another invoice: no group work (for a new invoice the generator reads and writes only in groups, so
        // none of its SQL is here), and every span naming an invoice or account names this one.
        Assert.DoesNotContain(spans, s => GroupSpans.Contains(s.Name));
        Assert.DoesNotContain(spans, s => s.Service == "invoice-generator" && s.Scope == "Npgsql");
        foreach (var span in spans)
        {
            if (span.Attribute("billing.invoice_id") is { } id) Assert.Equal(invoice.Id.ToString("D"), id);
            if (span.Attribute("billing.account_id") is { } account) Assert.Equal(invoice.AccountId.ToString("D"), account);
            if (span.Attribute("billing.run_id") is { } run) Assert.Equal(runId.ToString("D"), run);
        }

        // Group work: one span per group in a trace of its own, with its size, linked to this invoice's waiting span.
        foreach (var (group, service, waiting) in new[]
                 {
                     ("read billing inputs", "invoice-generator", Assert.Single(spans, s => s.Name == "read billing input").SpanId),
                     ("store invoices", "invoice-generator", Assert.Single(spans, s => s.Name == "store invoice").SpanId),
                     ("sync invoices", "accounting-sync", Assert.Single(spans, s => s.Name == "sync invoice").ParentSpanId),
                 })
        {
            var linked = groupSpans.Where(s => s.Name == group && s.Service == service
                && (s.Links ?? []).Any(l => l.TraceId == traceId && l.SpanId == waiting)).ToList();
            var span = Assert.Single(linked);
            Assert.NotEqual(traceId, span.TraceId);
            Assert.True(IsRoot(span), $"{group} has a parent: it belongs in a trace of its own");
            var size = int.Parse(span.Attribute("billing.group_size") ?? "0");
            Assert.InRange(size, 1, 128);
            Assert.Equal(size, span.Links!.Count);
        }
    }

    /// <summary>The span and its ancestors up to the root, following parent ids within the trace.</summary>
    public static List<ExportedSpan> Ancestors(ExportedSpan span, Dictionary<string, ExportedSpan> byId)
    {
        var chain = new List<ExportedSpan>();
        for (ExportedSpan? s = span; s is not null; s = byId.GetValueOrDefault(s.ParentSpanId))
        {
            chain.Add(s);
            if (chain.Count > 1000) throw new InvalidOperationException("parent cycle");
        }
        return chain;
    }
}
