using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Billing.Api.Contracts;
using Billing.Testing;
using Npgsql;

namespace Billing.Foundation.Tests;

/// <summary>
/// Keys created, listed and revoked through <c>/api/keys</c> while admin-api runs: a new key works and a revoked key
/// answers 401 from its next request, without a restart; only hashes are stored; bad requests change nothing.
/// </summary>
public sealed class When_api_keys_are_managed_at_run_time : IAsyncLifetime
{
    private const string OperatorKey = "bk_operator_7e1d2c3b4a5f6e7d8c9b0a1f";
    private static readonly string Keys = $"ops:operator:{Hash(OperatorKey)}";
    private TestDatabase db = null!;
    private TestVhost vhost = null!;
    private ServiceProcess api = null!;

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("keys");
        vhost = await TestVhost.CreateAsync("keys");
        api = ServiceProcess.Start("admin-api", "Billing.AdminApi", new Dictionary<string, string?>
        {
            ["Postgres__ConnectionString"] = db.ConnectionString,
            ["RabbitMq__Url"] = vhost.AmqpUrl,
            ["Auth__ApiKeys"] = Keys,
        });
        await api.WaitHealthyAsync();
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        await vhost.DisposeAsync();
        await db.DisposeAsync();
    }

    private HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = new Uri(api.BaseUrl) };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private async Task<ApiKeyCreated> CreateAsync(string name, string role, string by = OperatorKey)
    {
        var response = await Client(by).PostAsJsonAsync("/api/keys", new { name, role });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<ApiKeyCreated>(ApiJson.Options))!;
        Assert.Equal($"/api/keys/{created.Key.Id}", response.Headers.Location?.OriginalString);
        return created;
    }

    private async Task<long> RowsAsync()
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select count(*) from api_keys", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task A_created_key_works_at_once_and_a_revoked_one_fails_at_once()
    {
        var created = await CreateAsync("month-end-script", "viewer");
        Assert.Matches("^bk_[0-9a-f]{48}$", created.Secret);
        Assert.Equal(("month-end-script", "viewer", "database", "ops"), (created.Key.Name, created.Key.Role, created.Key.Source, created.Key.CreatedBy));

        var me = await Client(created.Secret).GetFromJsonAsync<WhoAmI>("/api/whoami", ApiJson.Options);
        Assert.Equal(new WhoAmI("month-end-script", "viewer"), me);

        // Only the hash is stored.
        await using (var conn = new NpgsqlConnection(db.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("select key_hash from api_keys where id = @id", conn);
            cmd.Parameters.AddWithValue("id", created.Key.Id!.Value);
            Assert.Equal(Hash(created.Secret), Convert.ToHexStringLower((byte[])(await cmd.ExecuteScalarAsync())!));
        }

        var listed = await Client(OperatorKey).GetStringAsync("/api/keys");
        Assert.DoesNotContain(created.Secret, listed);
        Assert.DoesNotContain(Hash(created.Secret), listed);
        var list = JsonSerializer.Deserialize<ApiKeyList>(listed, ApiJson.Options)!;
        Assert.Equal(["ops", "month-end-script"], list.Keys.Select(k => k.Name));
        Assert.Equal("configuration", list.Keys[0].Source);
        Assert.Null(list.Keys[0].Id);
        Assert.NotNull(list.Keys[1].LastUsedAt);

        var revoke = await Client(OperatorKey).DeleteAsync($"/api/keys/{created.Key.Id}");
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var revoked = (await revoke.Content.ReadFromJsonAsync<ApiKeyInfo>(ApiJson.Options))!;
        Assert.Equal("ops", revoked.RevokedBy);
        Assert.NotNull(revoked.RevokedAt);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Client(created.Secret).GetAsync("/api/whoami")).StatusCode);
        Assert.Equal(["ops"], (await Client(OperatorKey).GetFromJsonAsync<ApiKeyList>("/api/keys", ApiJson.Options))!.Keys.Select(k => k.Name));
        var all = (await Client(OperatorKey).GetFromJsonAsync<ApiKeyList>("/api/keys?revoked=true", ApiJson.Options))!;
        Assert.Equal("ops", Assert.Single(all.Keys, k => k.Name == "month-end-script").RevokedBy);

        // The name is free again once its key is revoked.
        var again = await CreateAsync("month-end-script", "operator");
        Assert.NotEqual(created.Key.Id, again.Key.Id);
        Assert.Equal(new WhoAmI("month-end-script", "operator"), await Client(again.Secret).GetFromJsonAsync<WhoAmI>("/api/whoami", ApiJson.Options));
    }

    [Fact]
    public async Task An_operator_key_made_at_run_time_may_manage_keys_and_a_viewer_key_may_not()
    {
        var admin = await CreateAsync("second-operator", "operator");
        var viewer = await CreateAsync("dashboard", "viewer", by: admin.Secret);
        Assert.Equal("second-operator", viewer.Key.CreatedBy);

        var before = await RowsAsync();
        var forbidden = await Client(viewer.Secret).PostAsJsonAsync("/api/keys", new { name = "sneaky", role = "operator" });
        await ProblemAsync(forbidden, HttpStatusCode.Forbidden);
        await ProblemAsync(await Client(viewer.Secret).DeleteAsync($"/api/keys/{admin.Key.Id}"), HttpStatusCode.Forbidden);
        Assert.Equal(before, await RowsAsync());
        Assert.Equal(HttpStatusCode.OK, (await Client(admin.Secret).GetAsync("/api/whoami")).StatusCode);
        // A viewer may read the list (names and roles, no secrets).
        Assert.Equal(HttpStatusCode.OK, (await Client(viewer.Secret).GetAsync("/api/keys")).StatusCode);
    }

    [Fact]
    public async Task Bad_requests_name_the_field_and_store_nothing()
    {
        await CreateAsync("taken", "viewer");
        var before = await RowsAsync();
        var client = Client(OperatorKey);

        var missing = await ProblemAsync(await client.PostAsJsonAsync("/api/keys", new { role = "viewer" }), HttpStatusCode.BadRequest);
        Assert.Contains("required", missing.GetProperty("errors").GetProperty("name")[0].GetString());
        var spaces = await ProblemAsync(await client.PostAsJsonAsync("/api/keys", new { name = "two words" }), HttpStatusCode.BadRequest);
        Assert.Contains("'two words'", spaces.GetProperty("errors").GetProperty("name")[0].GetString());
        var tooLong = await ProblemAsync(await client.PostAsJsonAsync("/api/keys", new { name = new string('k', 65) }), HttpStatusCode.BadRequest);
        Assert.True(tooLong.GetProperty("errors").TryGetProperty("name", out _));
        var role = await ProblemAsync(await client.PostAsJsonAsync("/api/keys", new { name = "x", role = "admin" }), HttpStatusCode.BadRequest);
        Assert.Contains("'admin' is not a role", role.GetProperty("errors").GetProperty("role")[0].GetString());

        var duplicate = await ProblemAsync(await client.PostAsJsonAsync("/api/keys", new { name = "taken" }), HttpStatusCode.Conflict);
        Assert.Equal("a key named 'taken' exists", duplicate.GetProperty("title").GetString());
        var bootstrapName = await ProblemAsync(await client.PostAsJsonAsync("/api/keys", new { name = "ops" }), HttpStatusCode.Conflict);
        Assert.Contains("Auth__ApiKeys", bootstrapName.GetProperty("detail").GetString());

        var text = await client.PostAsync("/api/keys", new StringContent("""{"name":"plain"}""", Encoding.UTF8, "text/plain"));
        await ProblemAsync(text, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(before, await RowsAsync());

        var unknown = Guid.NewGuid();
        var notFound = await ProblemAsync(await client.DeleteAsync($"/api/keys/{unknown}"), HttpStatusCode.NotFound);
        Assert.Contains(unknown.ToString(), notFound.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync("/api/keys/not-a-guid")).StatusCode);
        var flag = await ProblemAsync(await client.GetAsync("/api/keys?revoked=maybe"), HttpStatusCode.BadRequest);
        Assert.True(flag.GetProperty("errors").TryGetProperty("revoked", out _));

        var once = await CreateAsync("revoked-twice", "viewer");
        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync($"/api/keys/{once.Key.Id}")).StatusCode);
        var twice = await ProblemAsync(await client.DeleteAsync($"/api/keys/{once.Key.Id}"), HttpStatusCode.Conflict);
        Assert.Equal("key 'revoked-twice' is already revoked", twice.GetProperty("title").GetString());
        Assert.Contains("by ops", twice.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_cli_creates_lists_and_revokes_keys()
    {
        var cli = new CliRunner(api.BaseUrl, OperatorKey);
        var created = await cli.RunAsync("keys", "create", "--name", "cli-made", "--role", "operator");
        Assert.True(created.ExitCode == 0, created.ToString());
        var secret = System.Text.RegularExpressions.Regex.Match(created.Stdout, "bk_[0-9a-f]{48}").Value;
        Assert.NotEmpty(secret);
        var id = System.Text.RegularExpressions.Regex.Match(created.Stdout, "id ([0-9a-f-]{36})").Groups[1].Value;
        Assert.Equal("cli-made (operator)", (await new CliRunner(api.BaseUrl, secret).RunAsync("whoami")).Stdout.Trim());

        // Piped: tab-separated rows, no secret, no box drawing.
        var list = await cli.RunAsync("keys", "list");
        Assert.Equal(0, list.ExitCode);
        var rows = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
        Assert.Equal(["id", "name", "role", "source", "created by", "created", "last used", "revoked"], rows[0]);
        Assert.Equal(["-", "ops", "operator", "configuration"], rows[1][..4]);
        Assert.Equal([id, "cli-made", "operator", "database", "ops"], rows[2][..5]);
        Assert.DoesNotContain(secret, list.Stdout);
        Assert.DoesNotContain("│", list.Stdout);
        var json = JsonDocument.Parse((await cli.RunAsync("keys", "list", "--output", "json")).Stdout).RootElement;
        Assert.Equal(2, json.GetProperty("count").GetInt32());

        var revoke = await cli.RunAsync("keys", "revoke", id);
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        Assert.Contains("revoked", revoke.Stdout);
        Assert.NotEqual(0, (await new CliRunner(api.BaseUrl, secret).RunAsync("whoami")).ExitCode);

        // Bad input: a clear line, an exit code, nothing written.
        var before = await RowsAsync();
        var again = await cli.RunAsync("keys", "revoke", id);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already revoked", again.Stderr);
        var badName = await cli.RunAsync("keys", "create", "--name", "two words");
        Assert.NotEqual(0, badName.ExitCode);
        Assert.Contains("--name must be", badName.Stderr);
        var badId = await cli.RunAsync("keys", "revoke", "not-an-id");
        Assert.NotEqual(0, badId.ExitCode);
        var viewer = await CreateAsync("read-only", "viewer");
        var forbidden = await new CliRunner(api.BaseUrl, viewer.Secret).RunAsync("keys", "create", "--name", "sneaky");
        Assert.Equal(1, forbidden.ExitCode);
        Assert.Contains("HTTP 403", forbidden.Stderr);
        Assert.Equal(before + 1, await RowsAsync());
    }
}
