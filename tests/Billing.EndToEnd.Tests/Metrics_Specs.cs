using System.Net.Http.Json;
using Billing.EndToEnd.Tests.Infrastructure;
using Billing.Metrics;
using Billing.Testing.FakeStripe;
using Dapper;

namespace Billing.EndToEnd.Tests;

/// <summary>
/// The whole system exporting over OTLP to a real receiver, one small run through it (one account with an address
/// that cannot receive mail, every invoice pushed to the fake Stripe), and a message put into a dead-letter queue by hand.
/// </summary>
public sealed class MeasuredRun : IAsyncLifetime
{
    public const int Accounts = 6;
    public const string ProbeDlq = "metrics-probe_error";

    public Pipeline Pipeline { get; private set; } = null!;
    public OtlpTraceReceiver Otlp { get; private set; } = null!;
    public FakeStripeServer Stripe { get; private set; } = null!;
    public Guid RunId { get; private set; }
    public Guid UnreachableAccount { get; private set; }

    public async Task InitializeAsync()
    {
        Otlp = await OtlpTraceReceiver.StartAsync();
        Pipeline = await Pipeline.CreateAsync("e2emetrics");
        foreach (var (k, v) in Otlp.ExporterSettings()) Pipeline.Environment[k] = v;
        Stripe = await FakeStripeServer.StartNewAsync();
        Pipeline.Environment["Stripe__ApiKey"] = Stripe.ApiKey;
        Pipeline.Environment["Stripe__BaseUrl"] = Stripe.BaseUrl;
        Pipeline.Environment["Stripe__WebhookSecrets"] = Stripe.WebhookSecret;
        Pipeline.StartSmtp();
        await Seed.RunAsync(Pipeline.Db.DataSource, Accounts, Pipeline.Period);
        await using (var conn = await Pipeline.Db.DataSource.OpenConnectionAsync())
            UnreachableAccount = await conn.ExecuteScalarAsync<Guid>(
                "update accounts set billing_email = 'not an address' where name = 'Customer 000000 GmbH' returning id");
        await Pipeline.StartAllAsync(new Dictionary<string, IDictionary<string, string?>>
        {
            ["accounting-sync"] = new Dictionary<string, string?> { ["Reconcile__RunOnStart"] = "true" },
        });

        var (exit, output) = await Pipeline.CliAsync(TimeSpan.FromMinutes(10), "run", "start", "--period", Pipeline.Period, "--watch");
        Assert.True(exit == 0, $"billing run start --watch exited {exit}:\n{output}\n{Pipeline.Logs()}");
        RunId = await Pipeline.RunIdAsync();
        await Pipeline.WaitCompletedAsync(RunId);

        using var management = TestVhost.Management();
        var vhost = Uri.EscapeDataString(Pipeline.Vhost.Name);
        (await management.PutAsJsonAsync($"api/queues/{vhost}/{ProbeDlq}", new { durable = true })).EnsureSuccessStatusCode();
        for (var i = 0; i < 2; i++)
            (await management.PostAsJsonAsync($"api/exchanges/{vhost}/amq.default/publish", new
            {
                properties = new { }, routing_key = ProbeDlq, payload = $"probe {i}", payload_encoding = "string",
            })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await Pipeline.DisposeAsync();
        await Stripe.DisposeAsync();
        await Otlp.DisposeAsync();
    }
}

public sealed class When_a_run_is_measured(MeasuredRun run) : IClassFixture<MeasuredRun>
{
    private static readonly TimeSpan ExportWait = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData("generate", MeasuredRun.Accounts)]
    [InlineData("render", MeasuredRun.Accounts)]
    [InlineData("sync", MeasuredRun.Accounts)]
    [InlineData("email", MeasuredRun.Accounts - 1)]
    [InlineData("stripe", MeasuredRun.Accounts)]
    public async Task Does_count_each_invoice_once_per_stage_it_finished(string stage, int expected)
    {
        // Cumulative counters: the latest point of each series is its total; wait until the exports caught up.
        var points = await Eventually.UntilValue(
            () => run.Otlp.Latest("billing.invoices.processed", ("stage", stage), ("outcome", "ok")),
            p => p.Sum(x => x.Value) >= expected, ExportWait);
        Assert.Equal(expected, points.Sum(p => p.Value));
        Assert.All(points, p => Assert.Equal("sum", p.Kind));

        var durations = await Eventually.UntilValue(
            () => run.Otlp.Latest("billing.stage.duration", ("stage", stage)),
            p => p.Sum(x => (long)x.Count) >= expected, ExportWait);
        Assert.Equal(expected, durations.Sum(p => (long)p.Count));
        var seconds = durations.Sum(p => p.Sum);
        Assert.True(seconds > 0 && seconds < expected * 600, $"stage {stage}: {seconds}s over {expected} invoices");
    }

    [Fact]
    public async Task Does_not_count_the_unsendable_email_as_emailed_nor_as_failed()
    {
        await Eventually.UntilValue(() => run.Otlp.Latest("billing.invoices.processed", ("stage", "email")),
            p => p.Sum(x => x.Value) >= MeasuredRun.Accounts - 1, ExportWait);
        // An invalid address is a decision, not a failure to retry: nothing counts it as failed.
        Assert.DoesNotContain(run.Otlp.Latest("billing.invoices.processed", ("outcome", "failed")), p => p.Value > 0);
    }

    [Fact]
    public async Task Does_report_the_depth_of_a_dead_letter_queue()
    {
        var dlq = await Eventually.UntilValue(() => run.Otlp.Latest("billing.dlq.depth", ("queue", MeasuredRun.ProbeDlq)),
            p => p.Count == 1 && p[0].Value == 2, ExportWait);
        Assert.Equal("redrive", dlq[0].Service);
        Assert.Equal("gauge", dlq[0].Kind);
        // Ordinary queues are gauged apart: the generator's queue is there, drained, and no dead-letter queue among them.
        var queues = await Eventually.UntilValue(() => run.Otlp.Latest("billing.queue.depth", ("queue", "generate-invoice")),
            p => p.Count == 1 && p[0].Value == 0, ExportWait);
        Assert.Equal("redrive", queues[0].Service);
        Assert.DoesNotContain(run.Otlp.Latest("billing.queue.depth"), p => p.Attributes["queue"].EndsWith("_error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Does_report_the_drift_count_of_the_last_reconciliation()
    {
        var clean = await Eventually.UntilValue(() => run.Otlp.Latest("billing.reconciliation.drifts"), p => p.Count > 0, ExportWait);
        var point = Assert.Single(clean);
        Assert.Equal("accounting-sync", point.Service);
        Assert.Equal(0, point.Value); // reconciled at start, on an empty ledger

        // An invoice whose total no longer matches its journal entry, and a second instance reconciling at its start.
        await using (var conn = await run.Pipeline.Db.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("update invoices set total_minor = total_minor + 1 where id = (select id from invoices order by number limit 1)");
        var second = run.Pipeline.Start("accounting-sync", new Dictionary<string, string?> { ["Reconcile__RunOnStart"] = "true" });
        await second.WaitHealthyAsync(TimeSpan.FromMinutes(4));
        var drift = await Eventually.UntilValue(() => run.Otlp.Latest("billing.reconciliation.drifts"), p => p.Count == 1 && p[0].Value > 0, ExportWait);
        await using (var conn = await run.Pipeline.Db.DataSource.OpenConnectionAsync())
            Assert.Equal(await conn.ExecuteScalarAsync<int>("select drift_count from reconciliation_runs order by started_at desc limit 1"), drift[0].Value);
    }

    [Fact]
    public async Task Does_print_a_trace_link_under_the_invoice_trace_id_when_a_template_is_set()
    {
        var invoice = (await run.Pipeline.InvoicesAsync(run.RunId)).First(i => i.AccountId != run.UnreachableAccount);
        Assert.Matches("^[0-9a-f]{32}$", invoice.TraceId ?? "");
        var result = await Cli("http://jaeger.test:16686/trace/{trace_id}?uiFind=x").RunAsync("invoice", "show", invoice.Id.ToString());
        Assert.True(result.ExitCode == 0, result.Stderr);
        var lines = result.Stdout.Split('\n').Select(l => l.TrimEnd()).ToList();
        var at = lines.IndexOf($"trace id {invoice.TraceId}");
        Assert.True(at >= 0, result.Stdout);
        Assert.Equal($"trace link http://jaeger.test:16686/trace/{invoice.TraceId}?uiFind=x", lines[at + 1]);
    }

    [Fact]
    public async Task Does_print_no_link_when_no_template_is_set()
    {
        var invoice = (await run.Pipeline.InvoicesAsync(run.RunId)).First();
        foreach (var unset in new[] { null, "", "  " })
        {
            var result = await Cli(unset).RunAsync("invoice", "show", invoice.Id.ToString());
            Assert.True(result.ExitCode == 0, result.Stderr);
            Assert.Contains($"trace id {invoice.TraceId}", result.Stdout);
            Assert.DoesNotContain("trace link", result.Stdout);
            Assert.DoesNotContain("http", result.Stdout);
        }
    }

    [Fact]
    public async Task Does_print_a_trace_link_for_an_error_record()
    {
        var error = await Eventually.Until(async () =>
        {
            await using var conn = await run.Pipeline.Db.DataSource.OpenConnectionAsync();
            return await conn.QueryFirstOrDefaultAsync<(long Id, string? TraceId)>(
                "select id, trace_id from error_monitorings where account_id = @a", new { a = run.UnreachableAccount });
        }, e => e.Id > 0, TimeSpan.FromMinutes(1));
        Assert.Matches("^[0-9a-f]{32}$", error.TraceId ?? "");

        var result = await Cli("https://tempo.example.test/explore?trace={trace_id}").RunAsync("errors", "show", error.Id.ToString());
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"trace link https://tempo.example.test/explore?trace={error.TraceId}", result.Stdout.Split('\n').Select(l => l.TrimEnd()));

        var plain = await Cli(null).RunAsync("errors", "show", error.Id.ToString());
        Assert.True(plain.ExitCode == 0, plain.Stderr);
        Assert.Contains(error.TraceId!, plain.Stdout);
        Assert.DoesNotContain("trace link", plain.Stdout);
    }

    [Theory]
    [InlineData("http://localhost:16686/trace/", "has no {trace_id} placeholder")]
    [InlineData("localhost:16686/trace/{trace_id}", "is not an absolute http or https URL")]
    [InlineData("/trace/{trace_id}", "is not an absolute http or https URL")]
    [InlineData("ftp://traces.example.test/{trace_id}", "is not an absolute http or https URL")]
    public async Task Does_refuse_a_bad_template_with_one_line(string template, string says)
    {
        var invoice = (await run.Pipeline.InvoicesAsync(run.RunId)).First();
        foreach (var args in new[] { new[] { "invoice", "show", invoice.Id.ToString() }, new[] { "errors", "show", "1" } })
        {
            var result = await Cli(template).RunAsync(args);
            Assert.Equal(2, result.ExitCode);
            Assert.Equal("", result.Stdout);
            var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("billing: BILLING_TRACE_UI_URL", line);
            Assert.Contains(says, line);
        }
    }

    [Fact]
    public async Task Does_document_the_setting_in_the_help()
    {
        var root = await Cli(null).RunAsync("--help");
        Assert.Contains("BILLING_TRACE_UI_URL", root.Stdout);
        var show = await Cli(null).RunAsync("invoice", "show", "--help");
        Assert.Contains("BILLING_TRACE_UI_URL", show.Stdout);
    }

    /// <summary>The CLI against the run's admin API with BILLING_TRACE_UI_URL set to <paramref name="template"/> (null: unset).</summary>
    private CliRunner Cli(string? template) => run.Pipeline.Cli with { Environment = new Dictionary<string, string?> { ["BILLING_TRACE_UI_URL"] = template } };
}

/// <summary>
/// The monthly run as metrics in the quick start's dashboard: every service exporting to it, a small run, messages
/// left in an ordinary queue and in a dead-letter queue, and each instrument read back from the dashboard's metrics
/// page in Chromium (the dashboard's telemetry API has no metrics). The screenshot is the README's
/// docs/images/metrics.png.
/// </summary>
public sealed class When_a_run_is_watched_in_the_dashboard : IAsyncLifetime
{
    private const int Accounts = 6;
    private const string ProbeQueue = "metrics-ui-probe";
    private const string ProbeDlq = "metrics-ui-probe_error";
    private static readonly TimeSpan ExportWait = TimeSpan.FromMinutes(2);

    private TraceDashboard dashboard = null!;
    private Pipeline pipeline = null!;

    public async Task InitializeAsync()
    {
        dashboard = await TraceDashboard.StartAsync();
        pipeline = await Pipeline.CreateAsync("e2emetricsui");
        foreach (var (k, v) in dashboard.ExporterSettings()) pipeline.Environment[k] = v;
        pipeline.StartSmtp();
        await Seed.RunAsync(pipeline.Db.DataSource, Accounts, Pipeline.Period);
        await pipeline.StartAllAsync(new Dictionary<string, IDictionary<string, string?>>
        {
            ["accounting-sync"] = new Dictionary<string, string?> { ["Reconcile__RunOnStart"] = "true" },
        });
    }

    public async Task DisposeAsync()
    {
        await pipeline.DisposeAsync();
        await dashboard.DisposeAsync();
    }

    [Fact]
    public async Task Does_show_invoices_per_stage_stage_latency_queue_depths_and_drifts_with_their_values()
    {
        var (exit, output) = await pipeline.CliAsync(TimeSpan.FromMinutes(10), "run", "start", "--period", Pipeline.Period, "--watch");
        Assert.True(exit == 0, $"billing run start --watch exited {exit}:\n{output}\n{pipeline.Logs()}");
        var runId = await pipeline.RunIdAsync();
        await pipeline.WaitCompletedAsync(runId);
        Assert.Equal(Accounts, (await pipeline.InvoicesAsync(runId)).Count);

        using var management = TestVhost.Management();
        var vhost = Uri.EscapeDataString(pipeline.Vhost.Name);
        foreach (var (queue, count) in new[] { (ProbeQueue, 3), (ProbeDlq, 2) })
        {
            (await management.PutAsJsonAsync($"api/queues/{vhost}/{queue}", new { durable = true })).EnsureSuccessStatusCode();
            for (var i = 0; i < count; i++)
                (await management.PostAsJsonAsync($"api/exchanges/{vhost}/amq.default/publish", new
                {
                    properties = new { }, routing_key = queue, payload = $"probe {i}", payload_encoding = "string",
                })).EnsureSuccessStatusCode();
        }

        await using var browser = await Browser.LaunchAsync();
        var ui = await DashboardPages.SignInAsync(browser, dashboard);
        async Task<MetricRow> Latest(string resource, string meter, string instrument, Func<MetricRow, bool> until) =>
            (await Eventually.Until(() => ui.LatestMetricRowAsync(resource, meter, instrument), r => r is not null && until(r), ExportWait))!;

        // Invoices per stage: each stage's service counts its invoices (a cumulative counter; its rate is invoices/s).
        foreach (var (service, stage) in new[] { ("invoice-generator", "generate"), ("pdf-renderer", "render"), ("mailer", "email"), ("accounting-sync", "sync") })
        {
            var processed = await Latest(service, BillingMetrics.PipelineMeter, BillingMetrics.InvoicesProcessed, r => r.Value() >= Accounts);
            Assert.True(processed.Value() == Accounts, $"{stage}: {processed}");

            // Stage latency: a histogram, shown as percentiles in seconds.
            var latency = await Latest(service, BillingMetrics.PipelineMeter, BillingMetrics.StageDuration, r => r.Headers.Count >= 4);
            var (p50, p99) = (latency.Value("P50"), latency.Value("P99"));
            Assert.True(p50 > 0 && p50 <= p99 && p99 <= 60, $"{stage}: {latency}");
        }

        // Queue depths, gauged by redrive over every queue of the vhost: drained but for the probes.
        var depth = await Latest("redrive", BillingMetrics.QueuesMeter, BillingMetrics.QueueDepth, r => r.Value() == 3);
        Assert.Equal(3, depth.Value());
        var dlq = await Latest("redrive", BillingMetrics.QueuesMeter, BillingMetrics.DlqDepth, r => r.Value() == 2);
        Assert.Equal(2, dlq.Value());

        // The drift count of the last reconciliation (at start), as stored.
        await using (var conn = await pipeline.Db.DataSource.OpenConnectionAsync())
        {
            var stored = await conn.ExecuteScalarAsync<int>("select drift_count from reconciliation_runs order by started_at desc limit 1");
            var drifts = await Latest("accounting-sync", BillingMetrics.PipelineMeter, BillingMetrics.ReconciliationDrifts, _ => true);
            Assert.Equal(stored, drifts.Value());
        }

        // The picture: the generator's invoices over the run, as a graph.
        await ui.OpenMetricAsync("invoice-generator", BillingMetrics.PipelineMeter, BillingMetrics.InvoicesProcessed);
        await ui.Page.Locator("#tab-Graph-panel .js-plotly-plot svg.main-svg").First.WaitForAsync();
        await ui.ScreenshotAsync("metrics.png");
    }
}
