using System.Net;
using System.Net.Http.Headers;
using Billing.AdminApi.Auth;
using Billing.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Billing.Foundation.Tests;

public sealed class When_the_admin_api_is_called : IAsyncLifetime
{
    private const string OperatorKey = "bk_operator_4f1c2d9e8a7b6c5d4e3f2a1b";
    private const string ViewerKey = "bk_viewer_0a9b8c7d6e5f4a3b2c1d0e9f";
    private static readonly string Keys = ApiKeys.Setting(OperatorKey, ViewerKey);
    private TestDatabase db = null!;
    private TestVhost vhost = null!;
    private ServiceProcess api = null!;
    private WebApplication writeProbe = null!;
    private string writeProbeUrl = "";
    private readonly CapturingLoggerProvider probeLogs = new();

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("auth");
        vhost = await TestVhost.CreateAsync("auth");
        api = AdminApiProcess.Start(db, vhost, Keys, new Dictionary<string, string?>
        {
            // Everything the process logs, at the most verbose level, is checked for keys.
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace",
        });
        await api.WaitHealthyAsync();
        writeProbe = await StartWriteProbeAsync();
        writeProbeUrl = writeProbe.Urls.First();
    }

    /// <summary>
    /// The admin API's authentication with one endpoint under the write policy, mapped the way every write
    /// endpoint is (<see cref="Billing.AdminApi.Endpoints.AdminEndpoints"/>).
    /// </summary>
    private async Task<WebApplication> StartWriteProbeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["Auth:ApiKeys"] = Keys;
        builder.Logging.ClearProviders().AddProvider(probeLogs).SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddApiKeyAuth();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapPost("/api/probe-write", () => Results.Ok()).RequireAuthorization(Policies.Write);
        await app.StartAsync();
        return app;
    }

    public async Task DisposeAsync()
    {
        await writeProbe.DisposeAsync();
        await api.DisposeAsync();
        await vhost.DisposeAsync();
        await db.DisposeAsync();
    }

    private HttpClient Client(string? key, string? baseUrl = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl ?? api.BaseUrl) };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    [Fact]
    public async Task Without_a_key_it_answers_401_with_a_problem()
    {
        var response = await Client(null).GetAsync("/api/whoami");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("BILLING_API_KEY", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task With_an_unknown_key_it_answers_401()
    {
        var response = await Client("bk_not_a_configured_key").GetAsync("/api/whoami");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_viewer_reads_but_gets_403_on_a_write()
    {
        var me = await Client(ViewerKey).GetAsync("/api/whoami");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Contains("\"role\":\"viewer\"", await me.Content.ReadAsStringAsync());

        var write = await Client(ViewerKey, writeProbeUrl).PostAsync("/api/probe-write", null);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal("application/problem+json", write.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_operator_may_write()
    {
        var response = await Client(OperatorKey, writeProbeUrl).PostAsync("/api/probe-write", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await Client(OperatorKey).GetStringAsync("/api/whoami");
        Assert.Contains("\"role\":\"operator\"", me);
    }

    [Fact]
    public async Task Health_and_alive_need_no_key()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client(null).GetAsync("/alive")).StatusCode);
        var body = await Client(null).GetStringAsync("/health");
        Assert.Contains("\"postgres\"", body);
        Assert.Contains("\"rabbitmq\"", body);
    }

    [Fact]
    public async Task Never_logs_a_key()
    {
        await Client(OperatorKey).GetAsync("/api/whoami");
        await Client(ViewerKey).GetAsync("/api/whoami");
        await Client("bk_wrong_key_1234567890").GetAsync("/api/whoami");
        await Client(ViewerKey, writeProbeUrl).PostAsync("/api/probe-write", null);
        await Task.Delay(300); // let the process flush its console

        var logged = api.Output + string.Join('\n', probeLogs.Messages);
        Assert.Contains("/api/whoami", logged); // the requests were logged at Trace…
        foreach (var key in new[] { OperatorKey, ViewerKey, "bk_wrong_key_1234567890" })
            Assert.DoesNotContain(key, logged); // …but no key ever was
    }
}
