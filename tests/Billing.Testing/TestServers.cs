namespace Billing.Testing;

/// <summary>
/// Where the real servers started by <c>deploy/local/servers.sh</c> listen. Environment variables win; otherwise
/// the <c>.local/env</c> file the script writes; otherwise the script's defaults.
/// </summary>
public static class TestServers
{
    private static readonly Dictionary<string, string> FileSettings = ReadEnvFile();

    public static string PostgresAdmin => Get("Postgres__ConnectionString",
        "Host=127.0.0.1;Port=55432;Username=billing;Password=billing;Database=billing");

    public static string RabbitUrl => Get("RabbitMq__Url", "amqp://guest:guest@127.0.0.1:5673/");

    public static string RabbitManagementUrl => Get("RabbitMq__ManagementUrl", "http://127.0.0.1:15673/");

    public static string SmtpHost => Get("Smtp__Host", "127.0.0.1");

    public static int SmtpPort => int.Parse(Get("Smtp__Port", "2525"));

    public static string Maildir => Get("BILLING_MAILDIR", Path.Combine(RepoPaths.Root, ".local", "mail"));

    private static string Get(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
        : FileSettings.TryGetValue(name, out var fromFile) ? fromFile
        : fallback;

    private static Dictionary<string, string> ReadEnvFile()
    {
        var settings = new Dictionary<string, string>();
        var path = Path.Combine(RepoPaths.Root, ".local", "env");
        if (!File.Exists(path)) return settings;
        foreach (var line in File.ReadAllLines(path))
        {
            var text = line.StartsWith("export ", StringComparison.Ordinal) ? line[7..] : line;
            var eq = text.IndexOf('=');
            if (eq > 0) settings[text[..eq]] = text[(eq + 1)..].Trim('"');
        }
        return settings;
    }
}
