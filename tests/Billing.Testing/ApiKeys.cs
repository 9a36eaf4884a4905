using System.Security.Cryptography;
using System.Text;

namespace Billing.Testing;

/// <summary>
/// The admin API's <c>Auth__ApiKeys</c> setting for the keys a test uses: entries <c>name:role:hash</c> (the SHA-256
/// of the key's UTF-8 bytes in lower-case hex), separated by semicolons.
/// </summary>
public static class ApiKeys
{
    /// <summary>An operator key named "ops" and, when given, a viewer key named "dash".</summary>
    public static string Setting(string operatorKey, string? viewerKey = null) =>
        viewerKey is null ? Entry("ops", "operator", operatorKey) : $"{Entry("ops", "operator", operatorKey)};{Entry("dash", "viewer", viewerKey)}";

    public static string Entry(string name, string role, string key) => $"{name}:{role}:{Hash(key)}";

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

/// <summary>The real admin-api process on a test's database and vhost with its API keys.</summary>
public static class AdminApiProcess
{
    /// <param name="apiKeys">The <c>Auth__ApiKeys</c> setting (see <see cref="ApiKeys"/>).</param>
    /// <param name="more">Further settings; a null value removes one.</param>
    public static ServiceProcess Start(TestDatabase db, TestVhost vhost, string apiKeys, IEnumerable<KeyValuePair<string, string?>>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Postgres__ConnectionString"] = db.ConnectionString,
            ["RabbitMq__Url"] = vhost.AmqpUrl,
            ["Auth__ApiKeys"] = apiKeys,
        };
        foreach (var (key, value) in more ?? []) settings[key] = value;
        return ServiceProcess.Start("admin-api", "Billing.AdminApi", settings);
    }
}
