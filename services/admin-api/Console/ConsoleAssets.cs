using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Billing.AdminApi.OperatorConsole;

/// <summary>
/// The console's stylesheet and script, embedded in the assembly (Console/Assets) so that they are served the same
/// wherever admin-api runs from, with no build step of their own. Links carry a version of the content, so a browser
/// may keep a file for a day and still never uses an old one after an upgrade.
/// </summary>
public static class ConsoleAssets
{
    private sealed record Asset(byte[] Content, string ContentType, string Version)
    {
        public string ETag => $"\"{Version}\"";
    }

    private static readonly FrozenDictionary<string, Asset> Files = Load();

    public static string Url(string file) => $"{ConsolePaths.Root}/assets/{file}?v={Files[file].Version}";

    public static IResult Serve(string file, HttpContext http)
    {
        if (!Files.TryGetValue(file, out var asset)) return Results.NotFound();
        var headers = http.Response.Headers;
        headers.CacheControl = "public, max-age=86400";
        headers.ETag = asset.ETag;
        if (http.Request.Headers.IfNoneMatch == asset.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var files = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("console/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var file = name["console/".Length..];
            var type = Path.GetExtension(file) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                _ => "application/octet-stream",
            };
            files[file] = new Asset(content, type, Convert.ToHexStringLower(SHA256.HashData(content))[..16]);
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
