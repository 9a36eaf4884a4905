using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Billing.ErrorLog.Tests;

/// <summary>Kestrel on 127.0.0.1 playing the Slack incoming webhook: keeps the text of every message it accepts.</summary>
internal sealed class FakeChatServer : IAsyncDisposable
{
    public const string HookPath = "/services/T000/B000/secret";

    private readonly WebApplication _app;

    private FakeChatServer(WebApplication app, Uri baseUrl, ConcurrentQueue<string> texts)
    {
        _app = app;
        WebhookUrl = new Uri(baseUrl, HookPath);
        Texts = texts;
    }

    public Uri WebhookUrl { get; }

    public ConcurrentQueue<string> Texts { get; }

    public static string UrlOn(int port) => $"http://127.0.0.1:{port}{HookPath}";

    public static async Task<FakeChatServer> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var texts = new ConcurrentQueue<string>();
        app.MapPost(HookPath, async (HttpContext ctx) =>
        {
            using var doc = await JsonDocument.ParseAsync(ctx.Request.Body);
            texts.Enqueue(doc.RootElement.GetProperty("text").GetString() ?? "");
            return Results.Text("ok");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeChatServer(app, new Uri(address), texts);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
