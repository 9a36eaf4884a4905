namespace Billing.Redrive.Tests.Infrastructure;

/// <summary>The local servers of deploy/local/servers.sh; environment variables override for other machines.</summary>
internal static class Servers
{
    public static readonly Uri Amqp = new(Environment.GetEnvironmentVariable("RabbitMq__Url") ?? "amqp://guest:guest@127.0.0.1:5673/");
    public static readonly Uri Management = new(Environment.GetEnvironmentVariable("RabbitMq__ManagementUrl") ?? "http://127.0.0.1:15673/");
    public static readonly string Postgres = Environment.GetEnvironmentVariable("Postgres__ConnectionString")
        ?? "Host=127.0.0.1;Port=55432;Username=billing;Password=billing;Database=billing";

    public static string UniqueName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
