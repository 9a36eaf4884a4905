using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Api.Contracts;

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

    /// <summary>The answer as the JSON it came in: for commands that print it as it is (<c>--json</c>).</summary>
    public Task<JsonElement> GetAsync(string path, CancellationToken ct) => SendJsonAsync(HttpMethod.Get, path, null, ct);

    /// <summary>The answer as its record of <c>Billing.Api.Contracts</c> (still captured as JSON for <c>--output json</c>).</summary>
    public Task<T> GetAsync<T>(string path, CancellationToken ct) where T : class => SendAsync<T>(HttpMethod.Get, path, null, ct);

    public Task<JsonElement> PostAsync(string path, object? body, CancellationToken ct) => SendJsonAsync(HttpMethod.Post, path, body, ct);

    public Task<T> PostAsync<T>(string path, object? body, CancellationToken ct) where T : class => SendAsync<T>(HttpMethod.Post, path, body, ct);

    public Task<JsonElement> PatchAsync(string path, object? body, CancellationToken ct) => SendJsonAsync(HttpMethod.Patch, path, body, ct);

    public Task<T> PatchAsync<T>(string path, object? body, CancellationToken ct) where T : class => SendAsync<T>(HttpMethod.Patch, path, body, ct);

    /// <summary>A DELETE; the API answers it with no content.</summary>
    public Task DeleteAsync(string path, CancellationToken ct) => SendJsonAsync(HttpMethod.Delete, path, null, ct);

    /// <summary>
    /// Sends <paramref name="body"/> (a request record of <c>Billing.Api.Contracts</c>, written with the API's JSON
    /// conventions) and reads the answer as <typeparamref name="T"/>; the answer is still captured as JSON for
    /// <c>--output json</c>.
    /// </summary>
    public async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct) where T : class =>
        Read<T>(await SendJsonAsync(method, path, body, ct), path);

    /// <summary>An answer taken as JSON (to print it as it came, for <c>--json</c>) read as its record.</summary>
    public static T Read<T>(JsonElement answer, string path) where T : class
    {
        if (answer.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
            throw new CliException($"the admin API answered {path} with no JSON");
        try
        {
            return answer.Deserialize<T>(ApiJson.Options) ?? throw new CliException($"the admin API answered {path} with null");
        }
        catch (JsonException e)
        {
            throw new CliException($"the admin API's answer to {path} does not read as {typeof(T).Name}: {e.Message}");
        }
    }

    public async Task<byte[]> GetBytesAsync(string path, CancellationToken ct)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, path), ct);
        return await response.Content.ReadAsByteArrayAsync(ct);
    }

    private async Task<JsonElement> SendJsonAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, options: ApiJson.Options);
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
            var problem = JsonSerializer.Deserialize<Problem>(body, ProblemJson);
            var parts = new List<string>();
            if (problem?.Title is { } title) parts.Add(title);
            if (problem?.Detail is { Length: > 0 } detail) parts.Add(detail);
            foreach (var (field, messages) in problem?.Errors ?? [])
                parts.Add($"{field}: {string.Join("; ", messages ?? [])}");
            return $"HTTP {status}: {string.Join(" — ", parts.Where(p => p.Length > 0))}";
        }
        catch (JsonException)
        {
            return $"HTTP {status}: {(body.Length > 200 ? body[..200] : body)}";
        }
    }

    /// <summary>An RFC 9457 problem as ASP.NET Core writes it (<c>errors</c> only in a validation problem).</summary>
    private sealed record Problem(string? Title, string? Detail, Dictionary<string, string?[]?>? Errors);

    /// <summary>problem+json's member names as they are: camelCase, matched exactly.</summary>
    private static readonly JsonSerializerOptions ProblemJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public void Dispose() => http.Dispose();
}
