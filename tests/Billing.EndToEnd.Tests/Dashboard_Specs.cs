using Billing.EndToEnd.Tests.Infrastructure;

namespace Billing.EndToEnd.Tests;

/// <summary>
/// The on-call journey with the quick start's trace UI: the Aspire Dashboard started as deploy/local/up.sh starts it,
/// every service exporting to it, a small run, and the trace of one invoice (its stored trace id) read back from the
/// dashboard's telemetry API and shown on its trace page in Chromium.
/// </summary>
public sealed class When_an_invoice_is_followed_in_the_trace_ui : IAsyncLifetime
{
    private const int Accounts = 10;
    private TraceDashboard dashboard = null!;
    private Pipeline pipeline = null!;

    public async Task InitializeAsync()
    {
        dashboard = await TraceDashboard.StartAsync();
        pipeline = await Pipeline.CreateAsync("e2edash");
        foreach (var (k, v) in dashboard.ExporterSettings()) pipeline.Environment[k] = v;
        pipeline.Environment["BILLING_TRACE_UI_URL"] = dashboard.Settings["BILLING_TRACE_UI_URL"];
        pipeline.StartSmtp();
        await Seed.RunAsync(pipeline.Db.DataSource, Accounts, Pipeline.Period);
        await pipeline.StartAllAsync();
    }

    public async Task DisposeAsync()
    {
        await pipeline.DisposeAsync();
        await dashboard.DisposeAsync();
    }

    [Fact]
    public async Task Does_show_the_invoice_path_through_every_service_in_one_trace_with_group_work_linked()
    {
        var (exit, output) = await pipeline.CliAsync(TimeSpan.FromMinutes(10), "run", "start", "--period", Pipeline.Period, "--watch");
        Assert.True(exit == 0, $"billing run start --watch exited {exit}:\n{output}\n{pipeline.Logs()}");
        var runId = await pipeline.RunIdAsync();
        await pipeline.WaitCompletedAsync(runId);
        var invoices = await pipeline.InvoicesAsync(runId);
        Assert.Equal(Accounts, invoices.Count);
        var invoice = invoices.OrderBy(i => i.Number, StringComparer.Ordinal).First();
        Assert.Matches("^[0-9a-f]{32}$", invoice.TraceId ?? "");
        // Every invoice its own trace.
        Assert.Equal(Accounts, invoices.Select(i => i.TraceId).Distinct().Count());

        var spans = await Eventually.Until(() => dashboard.TraceAsync(invoice.TraceId!), InvoiceTrace.IsComplete, TimeSpan.FromMinutes(2));
        var all = await dashboard.SpansAsync();
        InvoiceTrace.AssertShape(spans, invoice, runId, all.Where(s => InvoiceTrace.GroupSpans.Contains(s.Name)).ToList());

        // The group's SQL is under the group's span, in the group's trace.
        var store = all.Single(s => s.Name == "store invoices" && (s.Links ?? []).Any(l => l.TraceId == invoice.TraceId));
        var group = await dashboard.TraceAsync(store.TraceId);
        Assert.Contains(group, s => s.Scope == "Npgsql" && s.ParentSpanId == store.SpanId);
        Assert.DoesNotContain(group, s => s.Name == "generate-invoice process");

        // Logs of the invoice's work carry its trace and its ids.
        var logs = await Eventually.Until(() => dashboard.LogsAsync(invoice.TraceId!),
            l => l.Any(x => x.Service == "pdf-renderer") && l.Any(x => x.Service == "mailer"), TimeSpan.FromMinutes(1));
        var rendered = Assert.Single(logs, l => l.Service == "pdf-renderer" && l.Body.StartsWith("Rendered invoice", StringComparison.Ordinal));
        Assert.Equal(invoice.TraceId, rendered.TraceId);
        Assert.Equal(invoice.Id.ToString("D"), rendered.Attributes.GetValueOrDefault("billing.invoice_id"));
        Assert.Equal(invoice.AccountId.ToString("D"), rendered.Attributes.GetValueOrDefault("billing.account_id"));
        Assert.Equal(runId.ToString("D"), rendered.Attributes.GetValueOrDefault("billing.run_id"));

        // The quick start's trace link of this invoice is the dashboard's page of this trace.
        var link = dashboard.Settings["BILLING_TRACE_UI_URL"].Replace("{trace_id}", invoice.TraceId, StringComparison.Ordinal);
        Assert.StartsWith(dashboard.Settings["BILLING_DASHBOARD_URL"] + "/", link);

        // And in the browser: signed in with the login link, the trace link shows the invoice's path as span rows of
        // every service. The screenshot is the one in the README (docs/images/trace.png).
        await using var browser = await Browser.LaunchAsync();
        var ui = await DashboardPages.SignInAsync(browser, dashboard);
        await ui.OpenAsync(link);
        foreach (var (service, span) in PathSpans)
        {
            var row = ui.SpanRow(service, span);
            await Microsoft.Playwright.Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
            Assert.True(await row.IsVisibleAsync(), $"{service}: {span}");
        }
        await ui.ScreenshotAsync("trace.png");
    }

    /// <summary>One span of each service on the invoice's path, as the trace page names its row.</summary>
    private static readonly (string Service, string Span)[] PathSpans =
    [
        ("invoice-generator", "compute invoice"), ("invoice-generator", "store invoice"), ("pdf-renderer", "render invoice pdf"),
        ("mailer", "smtp send"), ("accounting-sync", "sync invoice"),
    ];
}

/// <summary>A service whose OTLP endpoint does not answer (the dashboard is down) still processes every invoice.</summary>
public sealed class When_the_trace_ui_is_down : IAsyncLifetime
{
    private const int Accounts = 8;
    private Pipeline pipeline = null!;

    public async Task InitializeAsync()
    {
        pipeline = await Pipeline.CreateAsync("e2eotlpdown");
        // A port nothing listens on: every export fails (connection refused).
        var down = ServiceProcess.FreePort();
        pipeline.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{down}";
        pipeline.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        pipeline.Environment["OTEL_BLRP_SCHEDULE_DELAY"] = "200";
        pipeline.Environment["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
        pipeline.StartSmtp();
        await Seed.RunAsync(pipeline.Db.DataSource, Accounts, Pipeline.Period);
        await pipeline.StartAllAsync();
    }

    public Task DisposeAsync() => pipeline.DisposeAsync().AsTask();

    [Fact]
    public async Task Does_still_generate_render_email_and_sync_every_invoice()
    {
        var (exit, output) = await pipeline.CliAsync(TimeSpan.FromMinutes(10), "run", "start", "--period", Pipeline.Period, "--watch");
        Assert.True(exit == 0, $"billing run start --watch exited {exit}:\n{output}\n{pipeline.Logs()}");
        var runId = await pipeline.RunIdAsync();
        await pipeline.WaitCompletedAsync(runId);
        await pipeline.AssertRunInvariantsAsync(runId, Accounts);
        Assert.All(await pipeline.InvoicesAsync(runId), i => Assert.Matches("^[0-9a-f]{32}$", i.TraceId ?? ""));
        // Still healthy and answering after the failed exports.
        foreach (var (_, process) in pipeline.Processes) Assert.False(process.HasExited, $"a service stopped:\n{pipeline.Logs()}");
    }
}
