using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Contracts;
using Billing.Testing;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Invoicing.Infrastructure.Tests;

/// <summary>
/// The real admin-api and invoice-generator processes on a fresh database and vhost, plus an in-test observer
/// that records what the generator publishes and can publish messages itself.
/// </summary>
public sealed class RunHarness : IAsyncDisposable
{
    public const string OperatorKey = "bk_operator_runs_5e4d3c2b1a09f8e7d6c5";
    public const string Period = "2026-10";

    private RunHarness(TestDatabase db, TestVhost vhost) { Db = db; Vhost = vhost; }

    public TestDatabase Db { get; }
    public TestVhost Vhost { get; }
    public ServiceProcess Api { get; private set; } = null!;
    public List<ServiceProcess> Generators { get; } = [];
    public WebApplication Observer { get; private set; } = null!;
    public Observed Observed { get; } = new();
    public HttpClient Http { get; private set; } = null!;
    public IBus Bus => Observer.Services.GetRequiredService<IBus>();

    public static async Task<RunHarness> StartAsync(string prefix, IDictionary<string, string?>? generatorSettings = null, int generators = 1)
    {
        var h = new RunHarness(await TestDatabase.CreateAsync(prefix), await TestVhost.CreateAsync(prefix));
        // The observer's queues exist before anything is published.
        h.Observer = await InProcessService.StartAsync("runs-observer", h.Db, h.Vhost,
            bus => bus.AddConsumer<ObserverConsumer>(), b => b.Services.AddSingleton(h.Observed));
        var env = h.Env();
        foreach (var (k, v) in generatorSettings ?? new Dictionary<string, string?>()) env[k] = v;
        for (var i = 0; i < generators; i++) h.Generators.Add(ServiceProcess.Start("invoice-generator", "Billing.InvoiceGenerator", env));
        var apiEnv = h.Env();
        apiEnv["Auth__ApiKeys"] = ApiKeys.Setting(OperatorKey);
        h.Api = ServiceProcess.Start("admin-api", "Billing.AdminApi", apiEnv);
        await Task.WhenAll(h.Generators.Select(g => g.WaitHealthyAsync()).Append(h.Api.WaitHealthyAsync()));
        h.Http = new HttpClient { BaseAddress = new Uri(h.Api.BaseUrl), Timeout = TimeSpan.FromSeconds(120) };
        h.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        return h;
    }

    public Dictionary<string, string?> Env() => new()
    {
        ["Postgres__ConnectionString"] = Db.ConnectionString,
        ["RabbitMq__Url"] = Vhost.AmqpUrl,
        // The run status reads the run's dead letters through the management API.
        ["RabbitMq__ManagementUrl"] = TestServers.RabbitManagementUrl,
        ["RabbitMq__RetryInitialMs"] = "20",
        ["RabbitMq__RetryIncrementMs"] = "20",
        ["Generation__CompletionCheckMs"] = "300",
    };

    public async Task<Guid> StartRunAsync(string period = Period)
    {
        var response = await Http.PostAsJsonAsync("/api/runs", new { period });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("run_id").GetGuid();
    }

    public async Task<JsonElement> ProgressAsync(Guid runId, bool failed = false) =>
        JsonDocument.Parse(await Http.GetStringAsync($"/api/runs/{runId}{(failed ? "?failed=true" : "")}")).RootElement.Clone();

    public static int Count(JsonElement progress, string name) => progress.GetProperty("counts").GetProperty(name).GetInt32();

    public static string Status(JsonElement progress) => progress.GetProperty("run").GetProperty("status").GetString()!;

    /// <summary>Waits until every account of the run is generated, skipped or failed.</summary>
    public Task<JsonElement> UntilSettledAsync(Guid runId, int accounts, TimeSpan? timeout = null) =>
        Eventually.Until(() => ProgressAsync(runId),
            p => Count(p, "accounts") == accounts && Count(p, "generated") + Count(p, "skipped") + Count(p, "failed") >= accounts,
            timeout ?? TimeSpan.FromMinutes(5));

    /// <summary>What the pdf-renderer, mailer and accounting-sync would write once they handled every invoice.</summary>
    public async Task SimulateDownstreamAsync(Guid runId)
    {
        await using var conn = await Db.DataSource.OpenConnectionAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("""
            update invoices set pdf_key = account_id::text || '/' || id::text || '.pdf', pdf_sha256 = 'x', pdf_size = 1, pdf_rendered_at = now(),
                email_status = 'sent', emailed_at = now(), synced_at = now()
            where run_id = $1 and synced_at is null
            """, conn) { Parameters = { new() { Value = runId } } };
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Runs the built <c>billing</c> CLI against this harness's admin API.</summary>
    public Task<CliResult> CliAsync(params string[] args) => new CliRunner(Api.BaseUrl, OperatorKey) { Columns = 200 }.RunAsync(args);

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        foreach (var g in Generators) await g.DisposeAsync();
        if (Api is not null) await Api.DisposeAsync();
        if (Observer is not null) await Observer.DisposeAsync();
        await Vhost.DisposeAsync();
        await Db.DisposeAsync();
    }
}

public sealed class Observed
{
    public ConcurrentQueue<InvoiceFinalized> Finalized { get; } = new();
    public ConcurrentQueue<InvoiceSkipped> Skipped { get; } = new();
    public ConcurrentQueue<InvoiceRunStarted> Started { get; } = new();
    public ConcurrentQueue<InvoiceRunCompleted> Completed { get; } = new();
}

public sealed class ObserverConsumer(Observed observed) :
    IConsumer<InvoiceFinalized>, IConsumer<InvoiceSkipped>, IConsumer<InvoiceRunStarted>, IConsumer<InvoiceRunCompleted>
{
    public Task Consume(ConsumeContext<InvoiceFinalized> context) { observed.Finalized.Enqueue(context.Message); return Task.CompletedTask; }
    public Task Consume(ConsumeContext<InvoiceSkipped> context) { observed.Skipped.Enqueue(context.Message); return Task.CompletedTask; }
    public Task Consume(ConsumeContext<InvoiceRunStarted> context) { observed.Started.Enqueue(context.Message); return Task.CompletedTask; }
    public Task Consume(ConsumeContext<InvoiceRunCompleted> context) { observed.Completed.Enqueue(context.Message); return Task.CompletedTask; }
}
