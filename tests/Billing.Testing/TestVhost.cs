using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Billing.Testing;

/// <summary>A fresh RabbitMQ virtual host for one test class, deleted at the end.</summary>
public sealed class TestVhost : IAsyncDisposable
{
    private TestVhost(string name)
    {
        Name = name;
        var baseUri = new Uri(TestServers.RabbitUrl);
        AmqpUrl = new UriBuilder(baseUri) { Path = "/" + Uri.EscapeDataString(name) }.Uri.ToString();
    }

    public string Name { get; }
    public string AmqpUrl { get; }

    public static HttpClient Management()
    {
        var http = new HttpClient { BaseAddress = new Uri(TestServers.RabbitManagementUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
        return http;
    }

    public static async Task<TestVhost> CreateAsync(string prefix)
    {
        var vhost = new TestVhost($"t-{prefix}-{Guid.NewGuid():N}"[..30]);
        using var http = Management();
        (await http.PutAsync($"api/vhosts/{Uri.EscapeDataString(vhost.Name)}", null)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"api/permissions/{Uri.EscapeDataString(vhost.Name)}/guest",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return vhost;
    }

    /// <summary>A queue as the management API sees it (messages, arguments, type).</summary>
    public async Task<JsonElement?> QueueAsync(string queue)
    {
        using var http = Management();
        var response = await http.GetAsync($"api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        if (!response.IsSuccessStatusCode) return null;
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>
    /// Messages ready in a queue right now, asked of the broker itself (a passive declare); the management API's
    /// counts are statistics sampled every few seconds and may still show a queue from before a burst.
    /// Null when the queue does not exist.
    /// </summary>
    public async Task<uint?> ReadyNowAsync(string queue)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return null;
        }
    }

    /// <summary>A plain AMQP connection to this virtual host.</summary>
    public Task<RabbitMQ.Client.IConnection> ConnectAsync() => new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(AmqpUrl) }.CreateConnectionAsync();

    public async ValueTask DisposeAsync()
    {
        using var http = Management();
        await http.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(Name)}");
    }
}
