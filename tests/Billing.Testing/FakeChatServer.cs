using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Billing.Testing;

/// <summary>A real HTTP server on 127.0.0.1 playing the Slack incoming webhook: records the bodies it
/// accepts and answers with whatever status a test sets.</summary>
public sealed class FakeChatServer : IAsyncDisposable
{
    public const string HookPath = "/services/T000/B000/secret";

    private readonly WebApplication _app;
    private int _requests;

    private FakeChatServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        WebhookUrl = new Uri(baseUrl, HookPath);
    }

    public Uri WebhookUrl { get; }

    /// <summary>The body of every message accepted, in order.</summary>
    public ConcurrentQueue<string> Accepted { get; } = new();

    /// <summary>The <c>text</c> of every message accepted, in order.</summary>
    public IEnumerable<string> Texts => Accepted.Select(body => JsonDocument.Parse(body).RootElement.GetProperty("text").GetString() ?? "");

    /// <summary>Every request, accepted or refused.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The status the next requests get; anything but 200 refuses them (and keeps nothing).</summary>
    public HttpStatusCode Answer { get; set; } = HttpStatusCode.OK;

    /// <summary>The webhook URL of a server that will be started on <paramref name="port"/>.</summary>
    public static string UrlOn(int port) => $"http://127.0.0.1:{port}{HookPath}";

    public static async Task<FakeChatServer> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        FakeChatServer? server = null;
        app.MapPost(HookPath, async (HttpContext ctx) =>
        {
            Interlocked.Increment(ref server!._requests);
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
