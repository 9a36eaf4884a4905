using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Billing.Cli;

/// <summary>A failure to show as one line and exit with <see cref="ExitCode"/>.</summary>
public sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Talks to the admin API at <c>BILLING_API_URL</c> with the key in <c>BILLING_API_KEY</c>.</summary>
public sealed class ApiClient : IDisposable
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    private readonly HttpClient http;

    public ApiClient(string? baseUrl = null, string? apiKey = null, HttpMessageHandler? handler = null)
    {
        BaseUrl = (baseUrl ?? Environment.GetEnvironmentVariable("BILLING_API_URL") ?? DefaultUrl).TrimEnd('/');
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new CliException($"BILLING_API_URL '{BaseUrl}' is not an http(s) URL", 2);
        http = handler is null ? new HttpClient() : new HttpClient(handler);
        http.BaseAddress = uri;
        http.Timeout = TimeSpan.FromSeconds(100);
        var key = apiKey ?? Environment.GetEnvironmentVariable("BILLING_API_KEY");
        if (!string.IsNullOrWhiteSpace(key)) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());
    }

    public string BaseUrl { get; }

    /// <summary>When set, every JSON answer is added here (for <c>--output json</c>).</summary>
    public List<JsonElement>? Captured { get; init; }

    public Task<JsonElement> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    /// <summary>The answer as its record of <c>Billing.Api.Contracts</c> (still captured as JSON for <c>--output json</c>).</summary>
    public async Task<T> GetAsync<T>(string path, CancellationToken ct) where T : class =>
        (await GetAsync(path, ct)) is { ValueKind: JsonValueKind.Object or JsonValueKind.Array } json
            ? json.Deserialize<T>(Billing.Api.Contracts.ApiJson.Options) ?? throw new CliException($"the admin API answered {path} with null")
            : throw new CliException($"the admin API answered {path} with no JSON");

    public Task<JsonElement> PostAsync(string path, object? body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    public Task<JsonElement> PatchAsync(string path, object? body, CancellationToken ct) => SendAsync(HttpMethod.Patch, path, body, ct);

    public Task<JsonElement> DeleteAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Delete, path, null, ct);

    public async Task<byte[]> GetBytesAsync(string path, CancellationToken ct)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, path), ct);
        return await response.Content.ReadAsByteArrayAsync(ct);
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, options: Json.Options);
        using var response = await SendRawAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (text.Length == 0) return default;
        var json = JsonDocument.Parse(text).RootElement.Clone();
        Captured?.Add(json);
        return json;
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"cannot reach the admin API at {BaseUrl} ({ex.Message}); is it running? (BILLING_API_URL)");
        }
        if (response.IsSuccessStatusCode) return response;
        var text = await response.Content.ReadAsStringAsync(ct);
        response.Dispose();
        throw new CliException(DescribeProblem((int)response.StatusCode, text));
    }

    /// <summary>problem+json as one line: the title, the detail, and each field error.</summary>
    internal static string DescribeProblem(int status, string body)
    {
        try
        {
            var problem = JsonDocument.Parse(body).RootElement;
            var parts = new List<string>();
            if (problem.TryGetProperty("title", out var title)) parts.Add(title.GetString() ?? "");
            if (problem.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } d) parts.Add(d);
            if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                foreach (var field in errors.EnumerateObject())
                    parts.Add($"{field.Name}: {string.Join("; ", field.Value.EnumerateArray().Select(e => e.GetString()))}");
            return $"HTTP {status}: {string.Join(" — ", parts.Where(p => p.Length > 0))}";
        }
        catch (JsonException)
        {
            return $"HTTP {status}: {(body.Length > 200 ? body[..200] : body)}";
        }
    }

    public void Dispose() => http.Dispose();
}

public static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}
