using System.Diagnostics;
using System.Reflection;

namespace Billing.ServiceDefaults;

/// <summary>Who this process is: its name in traces, logs and health, and its own activity source.</summary>
public sealed class ServiceInfo
{
    public ServiceInfo(string name)
    {
        Name = name;
        ActivitySource = new ActivitySource(SourceName);
    }

    public string Name { get; }
    public string SourceName => $"Billing.{Name}";
    public ActivitySource ActivitySource { get; }

    public static string Version { get; } =
        typeof(ServiceInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
