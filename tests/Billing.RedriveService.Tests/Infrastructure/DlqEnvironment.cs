using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Redrive;
using Billing.Testing;

namespace Billing.RedriveService.Tests.Infrastructure;

/// <summary>
/// One database and vhost with the real admin API process and (optionally) the real redrive service process pointed
/// at them, API keys for an operator and a viewer, and the real CLI.
/// </summary>
public sealed class DlqEnvironment : IAsyncDisposable
{
    public const string OperatorKey = "bk_operator_5e2d1c0b9a8f7e6d5c4b3a29";
    public const string ViewerKey = "bk_viewer_1b2c3d4e5f6a7b8c9d0e1f2a";
    private static readonly string Keys = $"{ApiKeys.Entry("dfr", "operator", OperatorKey)};{ApiKeys.Entry("dash", "viewer", ViewerKey)}";

    private DlqEnvironment(TestDatabase db, TestVhost vhost, ServiceProcess api)
    {
        Db = db;
        Vhost = vhost;
        Api = api;
    }

    public TestDatabase Db { get; }
    public TestVhost Vhost { get; }
    public ServiceProcess Api { get; }
    public ServiceProcess? Redrive { get; private set; }

    public RedriveOptions Options => new() { AmqpUri = new Uri(Vhost.AmqpUrl), ManagementUri = new Uri(TestServers.RabbitManagementUrl) };

    /// <summary>The trace-link template the admin API and the CLI get: dead letters show links to their traces.</summary>
    public const string TraceUi = "http://ui.test:18888/traces/detail/{trace_id}";

    public static async Task<DlqEnvironment> StartAsync(string prefix, bool redriveService = true, IDictionary<string, string?>? redriveSettings = null)
    {
        var db = await TestDatabase.CreateAsync(prefix);
        var vhost = await TestVhost.CreateAsync(prefix);
        var apiSettings = Settings(db, vhost);
        apiSettings["Auth__ApiKeys"] = Keys;
        apiSettings["BILLING_TRACE_UI_URL"] = TraceUi;
        var env = new DlqEnvironment(db, vhost, ServiceProcess.Start("admin-api", "Billing.AdminApi", apiSettings));
        if (redriveService) env.StartRedrive(redriveSettings);
        await env.Api.WaitHealthyAsync();
        if (env.Redrive is not null) await env.Redrive.WaitHealthyAsync();
        return env;
    }

    public static Dictionary<string, string?> Settings(TestDatabase db, TestVhost vhost) => new()
    {
        ["Postgres__ConnectionString"] = db.ConnectionString,
        ["RabbitMq__Url"] = vhost.AmqpUrl,
        ["RabbitMq__ManagementUrl"] = TestServers.RabbitManagementUrl,
    };

    public ServiceProcess StartRedrive(IDictionary<string, string?>? extra = null)
    {
        var settings = Settings(Db, Vhost);
        settings["Redrive__PollIntervalMs"] = "200";
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        Redrive = ServiceProcess.Start("redrive", "Billing.Redrive.Service", settings);
        return Redrive;
    }

    public HttpClient Client(string key = OperatorKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(Api.BaseUrl), Timeout = TimeSpan.FromSeconds(100) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public async Task<long?> CountAsync(string queue) => await new DeadLetterQueues(Options).CountAsync(queue);

    public async Task<JsonElement> GetJsonAsync(string path, string key = OperatorKey)
    {
        using var client = Client(key);
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<(int Status, JsonElement Body, string? ContentType)> PostAsync(string path, object? body, string key = OperatorKey)
    {
        using var client = Client(key);
        var response = await client.PostAsync(path, body is null ? null : JsonContent.Create(body));
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Queues a redrive through the API and returns the job id.</summary>
    public async Task<string> StartJobAsync(string queue, object body)
    {
        var (status, json, _) = await PostAsync($"/api/dlq/{queue}/redrive", body);
        Assert.True(status == 202, $"redrive: {status} {json}");
        return json.GetProperty("job_id").GetString()!;
    }

    public Task<JsonElement> WaitForJobAsync(string jobId, TimeSpan? timeout = null) =>
        Eventually.Until(() => GetJsonAsync($"/api/dlq/jobs/{jobId}"),
            j => j.GetProperty("state").GetString() is "completed" or "cancelled" or "failed", timeout ?? TimeSpan.FromSeconds(120));

    /// <summary>The real CLI with the operator key, trace links on; stdin ends at once, as in a script.</summary>
    public Task<CliResult> CliAsync(params string[] args) =>
        new CliRunner(Api.BaseUrl, OperatorKey) { Environment = new Dictionary<string, string?> { ["BILLING_TRACE_UI_URL"] = TraceUi } }.RunAsync(args);

    public async ValueTask DisposeAsync()
    {
        if (Redrive is not null) await Redrive.DisposeAsync();
        await Api.DisposeAsync();
        await Vhost.DisposeAsync();
        await Db.DisposeAsync();
    }
}
