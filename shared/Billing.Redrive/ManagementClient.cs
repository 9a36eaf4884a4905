using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;

namespace Billing.Redrive;

/// <summary>The few RabbitMQ management API calls we need. Its counters lag by the stats interval (5 s), so counts come from AMQP.</summary>
internal sealed class ManagementClient : IDisposable
{
    private readonly HttpClient _http;

    public ManagementClient(Uri baseUri, string user, string password)
    {
        _http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
    }

    public static ManagementClient For(RedriveOptions options)
    {
        var (user, password) = options.ManagementCredentials();
        return new ManagementClient(options.ManagementUri, user, password);
    }

    public async Task<IReadOnlyList<QueueRow>> QueuesAsync(string vhost, CancellationToken ct) =>
        await _http.GetFromJsonAsync<QueueRow[]>($"api/queues/{Uri.EscapeDataString(vhost)}?columns=name,messages,messages_ready,head_message_timestamp", ct) ?? [];

    public async Task CreateVhostAsync(string vhost, string user, CancellationToken ct)
    {
        (await _http.PutAsync($"api/vhosts/{Uri.EscapeDataString(vhost)}", JsonContent.Create(new { }), ct)).EnsureSuccessStatusCode();
        var all = new { configure = ".*", write = ".*", read = ".*" };
        (await _http.PutAsync($"api/permissions/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(user)}", JsonContent.Create(all), ct)).EnsureSuccessStatusCode();
    }

    public async Task DeleteVhostAsync(string vhost, CancellationToken ct) =>
        await _http.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(vhost)}", ct);

    public async Task<IReadOnlyList<string>> ConnectionNamesAsync(string vhost, string clientProvidedPrefix, CancellationToken ct)
    {
        var rows = await _http.GetFromJsonAsync<ConnectionRow[]>($"api/vhosts/{Uri.EscapeDataString(vhost)}/connections?columns=name,client_properties", ct) ?? [];
        return [.. rows.Where(r => r.ClientProperties?.ConnectionName?.StartsWith(clientProvidedPrefix, StringComparison.Ordinal) == true).Select(r => r.Name)];
    }

    /// <summary>Closes a connection from the broker side: to the client it looks like a crash of the network or the broker.</summary>
    public async Task CloseConnectionAsync(string name, CancellationToken ct) =>
        await _http.DeleteAsync($"api/connections/{Uri.EscapeDataString(name)}", ct);

    public void Dispose() => _http.Dispose();

    internal sealed record QueueRow(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("messages")] long? Messages,
        [property: JsonPropertyName("head_message_timestamp")] long? HeadMessageTimestamp);

    internal sealed record ConnectionRow(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("client_properties")] ClientProps? ClientProperties);

    internal sealed record ClientProps([property: JsonPropertyName("connection_name")] string? ConnectionName);
}
