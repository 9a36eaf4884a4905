using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Billing.Testing;

namespace Billing.Invoicing.Infrastructure.Tests;

/// <summary>Two admin APIs started one after the other on a fresh database, each serving its OpenAPI document.</summary>
public sealed class TwoAdminApiStarts : IAsyncLifetime
{
    private TestDatabase db = null!;
    private TestVhost vhost = null!;

    /// <summary>The document as each start served it, byte for byte.</summary>
    public List<byte[]> Served { get; } = [];

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("openapi");
        vhost = await TestVhost.CreateAsync("openapi");
        for (var i = 0; i < 2; i++)
        {
            await using var api = AdminApiProcess.Start(db, vhost, ApiKeys.Setting(RunHarness.OperatorKey));
            await api.WaitHealthyAsync(TimeSpan.FromSeconds(180));
            using var http = new HttpClient { BaseAddress = new Uri(api.BaseUrl) };
            using var response = await http.GetAsync("/openapi/v1.json");
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            Served.Add(await response.Content.ReadAsByteArrayAsync());
        }
    }

    public async Task DisposeAsync()
    {
        await vhost.DisposeAsync();
        await db.DisposeAsync();
    }
}

/// <summary>
/// <c>openapi.json</c> at the repository root is the document the admin API serves at <c>/openapi/v1.json</c>: a
/// change to an endpoint or a record that changes the document shows up in review as a change to that file.
/// </summary>
public sealed class The_committed_openapi_document(TwoAdminApiStarts starts) : IClassFixture<TwoAdminApiStarts>
{
    /// <summary>Set to 1 to write the served document to <c>openapi.json</c> instead of failing on a difference
    /// (what <c>deploy/local/openapi.sh</c> does).</summary>
    public const string WriteVariable = "BILLING_WRITE_OPENAPI";

    public static string CommittedPath => Path.Combine(RepoPaths.Root, "openapi.json");

    [Fact]
    public void Is_the_same_bytes_on_every_start()
    {
        Assert.Equal(2, starts.Served.Count);
        Assert.True(starts.Served[0].AsSpan().SequenceEqual(starts.Served[1]),
            "two starts of the admin API served different documents:\n" + FirstDifference(
                Encoding.UTF8.GetString(starts.Served[0]), Encoding.UTF8.GetString(starts.Served[1]), "first start", "second start"));
    }

    [Fact]
    public void Is_what_the_admin_api_serves()
    {
        var served = Encoding.UTF8.GetString(starts.Served[0]);
        if (Environment.GetEnvironmentVariable(WriteVariable) == "1") File.WriteAllBytes(CommittedPath, starts.Served[0]);
        Assert.True(File.Exists(CommittedPath), $"{CommittedPath} is missing. {HowToRegenerate}");

        var committed = File.ReadAllText(CommittedPath);
        var (a, b) = (Canonical(committed), Canonical(served));
        Assert.True(a == b, $"openapi.json differs from the document the admin API serves at /openapi/v1.json. {HowToRegenerate}\n"
            + FirstDifference(a, b, "openapi.json", "served"));
    }

    private const string HowToRegenerate = "If the change to the API is intended, regenerate the file with deploy/local/openapi.sh "
        + $"(or {WriteVariable}=1 dotnet test tests/Billing.Invoicing.Infrastructure.Tests --filter FullyQualifiedName~The_committed_openapi_document), "
        + "review the diff and commit openapi.json.";

    /// <summary>Parsed and written again the same way on both sides: only line endings and indentation can differ
    /// without failing (a property order, a value, an escape that decodes differently all fail).</summary>
    private static string Canonical(string json) =>
        JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>The first line that differs, with its number and the lines before it.</summary>
    internal static string FirstDifference(string a, string b, string nameA, string nameB)
    {
        var la = a.Split('\n');
        var lb = b.Split('\n');
        for (var i = 0; i < Math.Max(la.Length, lb.Length); i++)
        {
            var x = i < la.Length ? la[i].TrimEnd('\r') : "(end)";
            var y = i < lb.Length ? lb[i].TrimEnd('\r') : "(end)";
            if (x == y) continue;
            var context = string.Join('\n', la[Math.Max(0, i - 3)..i].Select(l => "  " + l.TrimEnd('\r')));
            return $"first difference at line {i + 1}, after:\n{context}\n{nameA}: {x}\n{nameB}: {y}";
        }
        return "no line differs (a difference in line endings or the end of the file)";
    }
}
