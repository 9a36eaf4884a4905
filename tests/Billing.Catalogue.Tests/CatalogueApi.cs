using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Billing.Testing;
using Dapper;

namespace Billing.Catalogue.Tests;

/// <summary>The real admin-api process on a fresh database and vhost, with an operator and a viewer key.</summary>
public sealed class CatalogueApi : IAsyncDisposable
{
    public const string OperatorKey = "bk_operator_catalogue_7c1e9a2b4d6f8e0a";
    public const string ViewerKey = "bk_viewer_catalogue_3b5d7f9a1c2e4b6d";

    private CatalogueApi(TestDatabase db, TestVhost vhost, ServiceProcess process)
    {
        Db = db;
        Vhost = vhost;
        Process = process;
        Operator = Client(OperatorKey);
        Viewer = Client(ViewerKey);
    }

    public TestDatabase Db { get; }
    public TestVhost Vhost { get; }
    public ServiceProcess Process { get; }
    public HttpClient Operator { get; }
    public HttpClient Viewer { get; }

    public static async Task<CatalogueApi> StartAsync(string prefix)
    {
        var db = await TestDatabase.CreateAsync(prefix);
        var vhost = await TestVhost.CreateAsync(prefix);
        var process = AdminApiProcess.Start(db, vhost, ApiKeys.Setting(OperatorKey, ViewerKey));
        await process.WaitHealthyAsync(TimeSpan.FromSeconds(180));
        return new CatalogueApi(db, vhost, process);
    }


    private HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(Process.BaseUrl), Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Body(object value) => Body(JsonSerializer.Serialize(value));

    public async Task<(int Status, JsonElement Json, string MediaType)> PostAsync(string path, object body, HttpClient? client = null)
    {
        var response = await (client ?? Operator).PostAsync(path, body as HttpContent ?? Body(body));
        return (((int)response.StatusCode), await JsonOf(response), response.Content.Headers.ContentType?.MediaType ?? "");
    }

    public async Task<(int Status, JsonElement Json, string MediaType)> PatchAsync(string path, object body, HttpClient? client = null)
    {
        var response = await (client ?? Operator).PatchAsync(path, body as HttpContent ?? Body(body));
        return (((int)response.StatusCode), await JsonOf(response), response.Content.Headers.ContentType?.MediaType ?? "");
    }

    public async Task<(int Status, JsonElement Json)> GetAsync(string path, HttpClient? client = null)
    {
        var response = await (client ?? Operator).GetAsync(path);
        return (((int)response.StatusCode), await JsonOf(response));
    }

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Every catalogue table's rows, to show a rejected request wrote nothing.</summary>
    public async Task<string> SnapshotAsync()
    {
        await using var conn = await Db.DataSource.OpenConnectionAsync();
        var parts = new List<string>();
        foreach (var table in new[] { "plans", "accounts", "account_plans", "account_history", "usage_records", "charges" })
            parts.Add($"{table}: " + await conn.ExecuteScalarAsync<string>(
                $"select count(*) || ' ' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '-') from {table} t"));
        return string.Join("; ", parts);
    }

    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var conn = await Db.DataSource.OpenConnectionAsync();
        return (await conn.ExecuteScalarAsync<T>(sql, args))!;
    }

    public async Task ExecuteAsync(string sql, object? args = null)
    {
        await using var conn = await Db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync(sql, args);
    }

    /// <summary>Creates a plan through the API; fails the test unless it answers 201.</summary>
    public async Task<JsonElement> CreatePlanAsync(string code, string currency = "EUR", string? components = null)
    {
        var (status, json, _) = await PostAsync("/api/plans", Body($$"""
            {"code":"{{code}}","name":"Plan {{code}}","currency":"{{currency}}","base_fee_minor":4900,
             "components":{{components ?? """[{"metric":"api_calls","model":"per_unit","unit_price":"0.002"},{"metric":"storage_gb","model":"per_unit","unit_price":"0.10"}]"""}}}
            """));
        Assert.True(status == 201, json.ToString());
        return json;
    }

    public async Task<Guid> CreateAccountAsync(string plan, string name = "Acme GmbH", string? externalRef = null)
    {
        var (status, json, _) = await PostAsync("/api/accounts", new Dictionary<string, object?>
        {
            ["name"] = name, ["billing_email"] = "billing@acme.example", ["plan"] = plan, ["tax_rate"] = "19",
            ["address"] = new { line1 = "Hauptstr. 1", city = "Berlin", postal_code = "10115", country = "DE" },
            ["external_ref"] = externalRef,
        });
        Assert.True(status == 201, json.ToString());
        return json.GetProperty("id").GetGuid();
    }

    /// <summary>Runs the built <c>billing</c> CLI against this process.</summary>
    public Task<CliResult> CliAsync(string key, params string[] args) => new CliRunner(Process.BaseUrl, key).RunAsync(args);

    public async ValueTask DisposeAsync()
    {
        Operator.Dispose();
        Viewer.Dispose();
        await Process.DisposeAsync();
        await Vhost.DisposeAsync();
        await Db.DisposeAsync();
    }
}

public static class ProblemAssert
{
    /// <summary>A problem+json answer with <paramref name="status"/> whose <c>errors</c> name <paramref name="field"/>.</summary>
    public static string NamesField(int status, (int Status, JsonElement Json, string MediaType) response, string field)
    {
        Assert.True(response.Status == status, $"expected {status}, got {response.Status}: {response.Json}");
        Assert.Equal("application/problem+json", response.MediaType);
        var messages = default(JsonElement);
        Assert.True(response.Json.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out messages),
            $"expected errors to name '{field}': {response.Json}");
        return string.Join("; ", messages.EnumerateArray().Select(m => m.GetString()));
    }
}
