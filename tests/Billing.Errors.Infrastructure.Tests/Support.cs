using Billing.Testing;

namespace Billing.Errors.Infrastructure.Tests;

internal static class Redrive
{
    /// <summary>The redrive service (where the error log runs) as a real process on the test's database and vhost.</summary>
    public static ServiceProcess Start(TestDatabase db, TestVhost vhost, IDictionary<string, string?>? extra = null)
    {
        var env = new Dictionary<string, string?>
        {
            ["Postgres__ConnectionString"] = db.ConnectionString,
            ["RabbitMq__Url"] = vhost.AmqpUrl,
            ["RabbitMq__ManagementUrl"] = TestServers.RabbitManagementUrl,
            ["ErrorLog__AlertLoopEvery"] = "00:00:00.500",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) env[k] = v;
        return ServiceProcess.Start("redrive", "Billing.Redrive.Service", env);
    }
}

internal static class Keys
{
    public const string Operator = "bk_operator_errorlog_5a4b3c2d1e0f9a8b";
    public const string Viewer = "bk_viewer_errorlog_0f1e2d3c4b5a6978";

    public static string Setting => ApiKeys.Setting(Operator, Viewer);
}
