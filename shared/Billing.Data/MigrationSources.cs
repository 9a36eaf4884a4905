using System.Reflection;

namespace Billing.Data;

public interface IMigrationSource
{
    IReadOnlyList<Migration> Load();
}

/// <summary>The migrations compiled into this assembly from <c>deploy/db/migrations</c>.</summary>
public sealed class EmbeddedMigrations : IMigrationSource
{
    public IReadOnlyList<Migration> Load()
    {
        var assembly = typeof(EmbeddedMigrations).Assembly;
        return Sorted(assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("migrations/", StringComparison.Ordinal))
            .Select(n => Migration.FromFile(n["migrations/".Length..], Read(assembly, n))));
    }

    private static string Read(Assembly assembly, string name)
    {
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        return reader.ReadToEnd();
    }

    internal static IReadOnlyList<Migration> Sorted(IEnumerable<Migration> migrations)
    {
        var list = migrations.OrderBy(m => m.Version).ToList();
        var duplicate = list.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new MigrationException(
                $"two migrations share version {duplicate.Key:D4}: {string.Join(", ", duplicate.Select(m => m.FileName))}");
        return list;
    }
}

public sealed class DirectoryMigrations(string directory) : IMigrationSource
{
    public IReadOnlyList<Migration> Load() => EmbeddedMigrations.Sorted(
        Directory.EnumerateFiles(directory, "*.sql")
            .Select(path => Migration.FromFile(Path.GetFileName(path), File.ReadAllText(path))));
}
