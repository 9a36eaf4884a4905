using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Billing.Errors.Tests;

/// <summary>A real HTTP server on 127.0.0.1 playing the Slack incoming webhook: records the bodies it
/// accepts and answers with whatever status a test sets.</summary>
internal sealed class FakeChatServer : IAsyncDisposable
{
    public const string HookPath = "/services/T000/B000/secret";

    private readonly WebApplication _app;

    private FakeChatServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        WebhookUrl = new Uri(baseUrl, HookPath);
    }

    public Uri WebhookUrl { get; }

    public ConcurrentQueue<string> Accepted { get; } = new();

    public int Requests;

    public HttpStatusCode Answer { get; set; } = HttpStatusCode.OK;

    public static async Task<FakeChatServer> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        FakeChatServer? server = null;
        app.MapPost(HookPath, async (HttpContext ctx) =>
        {
            Interlocked.Increment(ref server!.Requests);
            var body = await new StreamReader(ctx.Request.Body).ReadToEndAsync();
            if (server.Answer != HttpStatusCode.OK)
                return Results.Text("invalid_token", statusCode: (int)server.Answer);
            server.Accepted.Enqueue(body);
            return Results.Text("ok");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server = new FakeChatServer(app, new Uri(address));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
