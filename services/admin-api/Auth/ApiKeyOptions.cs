using System.Security.Cryptography;
using System.Text;

namespace Billing.AdminApi.Auth;

public static class Roles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public static readonly string[] All = [Viewer, Operator];
}

public sealed record ApiKey(string Name, string Role, byte[] Hash);

/// <summary>
/// <c>Auth__ApiKeys</c>: entries <c>name:role:sha256-hex</c> separated by <c>;</c>. Only hashes are configured, so
/// a leaked configuration does not leak a key. <c>billing keys new</c> prints a fresh key and its entry.
/// </summary>
public sealed class ApiKeyOptions
{
    public const string Section = "Auth";

    public string? ApiKeys { get; set; }

    public IReadOnlyList<ApiKey> Parse()
    {
        var keys = new List<ApiKey>();
        foreach (var entry in (ApiKeys ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split(':');
            if (parts.Length != 3)
                throw new FormatException($"entry '{Redact(entry)}' must be name:role:sha256-hex");
            if (!Roles.All.Contains(parts[1]))
                throw new FormatException($"entry '{parts[0]}' has role '{parts[1]}'; roles are {string.Join(", ", Roles.All)}");
            if (parts[2].Length != 64 || !parts[2].All(Uri.IsHexDigit))
                throw new FormatException($"entry '{parts[0]}' must end in a 64-character SHA-256 hex digest of the key");
            keys.Add(new ApiKey(parts[0], parts[1], Convert.FromHexString(parts[2])));
        }
        return keys;
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    // The entry might be a pasted key instead of a hash: never echo more than its start.
    private static string Redact(string entry) => entry.Length <= 6 ? entry : entry[..6] + "…";
}
