namespace Billing.Testing;

public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Billing.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find Billing.sln above " + AppContext.BaseDirectory);
    }

    public static string Migrations => Path.Combine(Root, "deploy", "db", "migrations");

    /// <summary>The built entry assembly of a service, e.g. ("mailer", "Billing.Mailer").</summary>
    /// <param name="root">Another checkout's root (e.g. a baseline build a benchmark compares with); default: this one.</param>
    public static string ServiceDll(string folder, string assembly, string? root = null)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var path = Path.Combine(root ?? Root, "services", folder, "bin", configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(path)) throw new FileNotFoundException($"service not built: {path}");
        return path;
    }
}
