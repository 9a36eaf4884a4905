using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Billing.Catalogue.Tests;

/// <summary>
/// Requests a new user gets wrong, each answered as problem+json that says what is wrong and with nothing written:
/// another media type than JSON (415), a body over the limit (413), a field of the wrong JSON type or malformed JSON
/// (400 naming the field), a run started twice (409 saying what it clashes with).
/// </summary>
public sealed class When_a_request_cannot_be_taken(CatalogueFixture fixture) : IClassFixture<CatalogueFixture>
{
    private readonly CatalogueApi api = fixture.Api;

    private static readonly string AccountJson = """
        {"name":"Plain Text Co","billing_email":"billing@plain.example","plan":"media","tax_rate":"19",
         "address":{"line1":"Hauptstr. 1","city":"Berlin","postal_code":"10115","country":"DE"}}
        """;

    private async Task<(int Status, JsonElement Json, string MediaType)> SendAsync(HttpMethod method, string path, HttpContent content,
        bool expectContinue = false)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        // As curl does for large bodies: the headers first, the body once the server asks for it.
        if (expectContinue) request.Headers.ExpectContinue = true;
        using var response = await api.Operator.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(),
            response.Content.Headers.ContentType?.MediaType ?? "");
    }

    private async Task<string> WrittenAsync() =>
        await api.SnapshotAsync() + "; runs: " + await api.ScalarAsync<long>("select count(*) from invoice_runs");

    private static void AssertProblem(int status, (int Status, JsonElement Json, string MediaType) response, params string[] inDetail)
    {
        Assert.True(response.Status == status, $"expected {status}, got {response.Status}: {response.Json}");
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Equal(status, response.Json.GetProperty("status").GetInt32());
        var detail = response.Json.GetProperty("detail").GetString() ?? "";
        foreach (var text in inDetail) Assert.Contains(text, detail);
    }

    private async Task EnsurePlanAsync()
    {
        if ((await api.GetAsync("/api/plans/media")).Status == 404) await api.CreatePlanAsync("media");
    }

    [Theory]
    [InlineData("/api/accounts", "text/plain")]
    [InlineData("/api/accounts", "application/x-www-form-urlencoded")]
    [InlineData("/api/accounts", "text/json-ish")]
    [InlineData("/api/plans", "text/plain")]
    [InlineData("/api/usage", "application/xml")]
    public async Task Refuses_a_body_that_is_not_json_with_415_and_stores_nothing(string path, string mediaType)
    {
        await EnsurePlanAsync();
        var before = await WrittenAsync();
        var body = path == "/api/accounts" ? AccountJson : """{"records":[]}""";

        var response = await SendAsync(HttpMethod.Post, path, new StringContent(body, Encoding.UTF8, mediaType));

        AssertProblem(415, response, mediaType, "application/json");
        Assert.Equal(before, await WrittenAsync());
    }

    [Fact]
    public async Task Refuses_a_body_without_a_content_type_with_415_and_stores_nothing()
    {
        await EnsurePlanAsync();
        var before = await WrittenAsync();

        var response = await SendAsync(HttpMethod.Post, "/api/accounts", new ByteArrayContent(Encoding.UTF8.GetBytes(AccountJson)));

        AssertProblem(415, response, "no Content-Type", "application/json");
        Assert.Equal(before, await WrittenAsync());
    }

    [Fact]
    public async Task Does_accept_the_same_account_as_json()
    {
        await EnsurePlanAsync();
        var response = await SendAsync(HttpMethod.Post, "/api/accounts", new StringContent(AccountJson, Encoding.UTF8, "application/json"));
        Assert.True(response.Status == 201, response.Json.ToString());
    }

    /// <summary>A usage batch of about 40 MB: well-formed records, only too many bytes.</summary>
    private static byte[] HugeUsageBody()
    {
        var sb = new StringBuilder("""{"records":[""");
        var record = $$"""{"account_id":"{{Guid.NewGuid()}}","metric":"api_calls","quantity":"1","occurred_at":"2026-09-15T10:00:00Z","idempotency_key":"k{0}"}""";
        for (var i = 0; sb.Length < 40_000_000; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(record.Replace("{0}", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }
        return Encoding.UTF8.GetBytes(sb.Append("]}").ToString());
    }

    [Fact]
    public async Task Refuses_a_40_mb_usage_body_with_413_and_stores_nothing()
    {
        var before = await WrittenAsync();
        var content = new ByteArrayContent(HugeUsageBody());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await SendAsync(HttpMethod.Post, "/api/usage", content, expectContinue: true);

        AssertProblem(413, response, "bytes");
        Assert.Equal(before, await WrittenAsync());
    }

    /// <summary>
    /// Posts <paramref name="body"/> in chunks (Transfer-Encoding: chunked, no Content-Length) over a plain connection,
    /// reading the answer while it writes, as curl does: a server that refuses a body answers before it has all of it
    /// and closes the connection, which HttpClient reports as a failed write instead of the answer.
    /// </summary>
    private async Task<(int Status, JsonElement Json, string MediaType)> PostChunkedAsync(string path, byte[] body)
    {
        var uri = new Uri(api.Operator.BaseAddress!, path);
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        var stream = tcp.GetStream();
        var reading = ReadToEndAsync(stream);
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\n"
                + $"Authorization: Bearer {CatalogueApi.OperatorKey}\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"));
            for (var at = 0; at < body.Length; at += 64 * 1024)
            {
                var size = Math.Min(64 * 1024, body.Length - at);
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"{size:x}\r\n"));
                await stream.WriteAsync(body.AsMemory(at, size));
                await stream.WriteAsync("\r\n"u8.ToArray());
            }
            await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
        }
        catch (IOException)
        {
            // The server stopped reading and closed the connection: its answer is what counts.
        }
        return ParseResponse(await reading);
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            for (int n; (n = await stream.ReadAsync(buffer)) > 0;) received.Write(buffer, 0, n);
        }
        catch (IOException)
        {
            // A reset after the answer: keep what arrived.
        }
        return received.ToArray();
    }

    /// <summary>Status, JSON body and media type of an HTTP/1.1 answer (its body chunked or with a Content-Length).</summary>
    private static (int Status, JsonElement Json, string MediaType) ParseResponse(byte[] raw)
    {
        var text = Encoding.UTF8.GetString(raw);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"no complete answer received ({raw.Length} bytes): {text}");
        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(h => h[0].Trim(), h => h[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = text[(end + 4)..];
        if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var decoded = new StringBuilder();
            for (var at = 0; ;)
            {
                var lineEnd = body.IndexOf("\r\n", at, StringComparison.Ordinal);
                var size = int.Parse(body[at..lineEnd].Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0) break;
                decoded.Append(body, lineEnd + 2, size);
                at = lineEnd + 2 + size + 2;
            }
            body = decoded.ToString();
        }
        var mediaType = headers.TryGetValue("Content-Type", out var ct) ? ct.Split(';')[0].Trim() : "";
        return (status, body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone(), mediaType);
    }

    [Theory]
    [InlineData("/api/usage")]
    [InlineData("/api/accounts/batch")]
    [InlineData("/api/plans")]
    [InlineData("/api/runs")]
    // Endpoints that read no body: a chunked one over the limit is refused all the same, as with a Content-Length.
    [InlineData("/api/runs/0193f2a4-6f1e-7cc1-9d2b-4e1f8a3c5b6d/cancel")]
    [InlineData("/api/dlq/generate-invoice_error/purge")]
    public async Task Refuses_a_chunked_body_over_the_limit_with_413_and_stores_nothing(string path)
    {
        await EnsurePlanAsync();
        var before = await WrittenAsync();

        var response = await PostChunkedAsync(path, HugeUsageBody());

        AssertProblem(413, response, "16,777,216 bytes");
        Assert.Equal(before, await WrittenAsync());
    }

    /// <summary>A body sent in chunks by HttpClient: no Content-Length.</summary>
    private sealed class ChunkedContent(byte[] body) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }

    [Fact]
    public async Task Does_accept_a_chunked_body_under_the_limit()
    {
        await EnsurePlanAsync();
        var content = new ChunkedContent(Encoding.UTF8.GetBytes(AccountJson.Replace("Plain Text Co", "Chunked Co", StringComparison.Ordinal)
            .Replace("billing@plain.example", "billing@chunked.example", StringComparison.Ordinal)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/accounts") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await api.Operator.SendAsync(request);

        Assert.Null(request.Content.Headers.ContentLength);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"period": 202610}""", "JSON string")]
    [InlineData("""{"period": ["2026", "10"]}""", "JSON string")]
    [InlineData("""{"period": {"year": 2026}}""", "JSON string")]
    [InlineData("""{"period": 2026-10}""", "malformed")]
    public async Task Names_period_when_it_is_not_a_json_string_and_starts_nothing(string body, string said) =>
        Assert.Contains(said, await NamesFieldAndWritesNothingAsync("/api/runs", body, "period"));

    /// <summary>Posts <paramref name="body"/> as JSON; asserts a 400 whose errors and detail name <paramref name="field"/>
    /// and that nothing was written; returns the field's messages.</summary>
    private async Task<string> NamesFieldAndWritesNothingAsync(string path, string body, string field)
    {
        var before = await WrittenAsync();
        var response = await SendAsync(HttpMethod.Post, path, new StringContent(body, Encoding.UTF8, "application/json"));
        var messages = ProblemAssert.NamesField(400, (response.Status, response.Json, response.MediaType), field);
        AssertProblem(400, response, "Not valid: " + field);
        Assert.Equal(before, await WrittenAsync());
        return messages;
    }

    [Theory]
    [InlineData("period=2026-10")]
    [InlineData("""{"period": "2026-10" """)]
    [InlineData("""["2026-10"]""")]
    public async Task Names_the_body_when_it_is_not_a_json_object(string body) =>
        await NamesFieldAndWritesNothingAsync("/api/runs", body, "body");

    [Theory]
    [InlineData("""{"period": "2026-13"}""")]
    [InlineData("""{}""")]
    public async Task Names_period_in_the_detail_of_a_validation_problem(string body) =>
        await NamesFieldAndWritesNothingAsync("/api/runs", body, "period");

    [Fact]
    public async Task Names_the_catalogue_field_in_the_detail_too() =>
        await NamesFieldAndWritesNothingAsync("/api/plans", """{"name":"No code","currency":"EUR","base_fee_minor":100,"components":[]}""", "code");

    [Fact]
    public async Task Says_what_a_second_run_of_a_period_clashes_with()
    {
        // A month that has ended, whatever today is; no generator runs here, so the first run stays running.
        var period = DateTime.UtcNow.AddMonths(-2).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var first = await SendAsync(HttpMethod.Post, "/api/runs", new StringContent($$"""{"period":"{{period}}"}""", Encoding.UTF8, "application/json"));
        Assert.True(first.Status == 202, first.Json.ToString());
        var runId = first.Json.GetProperty("run_id").GetString();
        var before = await WrittenAsync();

        var second = await SendAsync(HttpMethod.Post, "/api/runs", new StringContent($$"""{"period":"{{period}}"}""", Encoding.UTF8, "application/json"));

        ProblemAssert.NamesField(409, (second.Status, second.Json, second.MediaType), "period");
        var title = second.Json.GetProperty("title").GetString();
        Assert.NotEqual("One or more validation errors occurred.", title);
        Assert.Contains(period, title);
        AssertProblem(409, second, runId!, "still running");
        Assert.Equal(before, await WrittenAsync());
    }
}
