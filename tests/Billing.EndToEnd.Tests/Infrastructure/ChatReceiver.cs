using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Billing.EndToEnd.Tests.Infrastructure;

/// <summary>A real HTTP endpoint speaking the Slack incoming-webhook protocol: keeps the text of every post.</summary>
public sealed class ChatReceiver : IAsyncDisposable
{
    private readonly WebApplication app;

    private ChatReceiver(WebApplication app) => this.app = app;

    public ConcurrentQueue<string> Messages { get; } = new();
    public string WebhookUrl => app.Urls.First() + "/hooks/billing";

    public static async Task<ChatReceiver> StartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new ChatReceiver(app);
        app.MapPost("/hooks/billing", async (HttpRequest request) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            receiver.Messages.Enqueue(body.RootElement.GetProperty("text").GetString() ?? "");
            return Results.Text("ok");
        });
        await app.StartAsync();
        return receiver;
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
