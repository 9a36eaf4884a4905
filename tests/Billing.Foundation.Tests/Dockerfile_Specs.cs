using System.Text.RegularExpressions;
using Billing.Testing;

namespace Billing.Foundation.Tests;

/// <summary>
/// What can be checked of the service image without a Docker engine: pinned base images, a non-root user in the image
/// that runs, the fonts the PDFs need, and a restore layer that lists every project of the repository.
/// </summary>
public sealed partial class The_service_dockerfile
{
    private static readonly string Path = System.IO.Path.Combine(RepoPaths.Root, "deploy", "docker", "Dockerfile");

    [Fact]
    public void Does_pass_every_check_as_written()
    {
        Assert.Empty(Problems(File.ReadAllText(Path), RepoProjects()));
    }

    [Fact]
    public void Does_name_what_is_wrong_in_a_dockerfile_that_breaks_each_rule()
    {
        var good = File.ReadAllText(Path);
        var projects = RepoProjects();

        var floating = good.Replace("aspnet:10.0.12", "aspnet:10.0", StringComparison.Ordinal);
        Assert.Contains(Problems(floating, projects), p => p.Contains("mcr.microsoft.com/dotnet/aspnet:10.0", StringComparison.Ordinal) && p.Contains("not pinned", StringComparison.Ordinal));
        Assert.Contains(Problems(good.Replace("sdk:10.0.401", "sdk:latest", StringComparison.Ordinal), projects), p => p.Contains("not pinned", StringComparison.Ordinal));

        var root = Regex.Replace(good, @"^USER .*$", "USER root", RegexOptions.Multiline);
        Assert.Contains(Problems(root, projects), p => p.Contains("root", StringComparison.Ordinal));
        var noUser = Regex.Replace(good, @"^USER .*\n", "", RegexOptions.Multiline);
        Assert.Contains(Problems(noUser, projects), p => p.Contains("no USER", StringComparison.Ordinal));

        Assert.Contains(Problems(good.Replace(" fonts-droid-fallback", "", StringComparison.Ordinal), projects), p => p.Contains("fonts-droid-fallback", StringComparison.Ordinal));

        var missing = Regex.Replace(good, @"^COPY shared/Billing\.Pdf/Billing\.Pdf\.csproj .*\n", "", RegexOptions.Multiline);
        Assert.Contains(Problems(missing, projects), p => p.Contains("shared/Billing.Pdf/Billing.Pdf.csproj", StringComparison.Ordinal));
        Assert.Contains(Problems(good, [.. projects, "shared/Billing.New/Billing.New.csproj"]), p => p.Contains("shared/Billing.New/Billing.New.csproj", StringComparison.Ordinal));

        var copyAllFirst = good.Replace("COPY Directory.Build.props", "COPY . .\nCOPY Directory.Build.props", StringComparison.Ordinal);
        Assert.Contains(Problems(copyAllFirst, projects), p => p.Contains("restore", StringComparison.Ordinal));
    }

    /// <summary>Every rule the Dockerfile breaks, in words; empty when it keeps them all.</summary>
    internal static List<string> Problems(string dockerfile, IReadOnlyCollection<string> projects)
    {
        var problems = new List<string>();
        var lines = dockerfile.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var froms = lines.Select((l, i) => (Line: l, Index: i)).Where(x => x.Line.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase)).ToList();
        if (froms.Count == 0) return ["no FROM"];
        foreach (var (line, _) in froms)
        {
            var image = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            if (!PinnedTag().IsMatch(image)) problems.Add($"base image {image} is not pinned to a patch version (e.g. :10.0.12)");
        }

        // The image that runs is the last stage.
        var final = lines.Skip(froms[^1].Index).ToList();
        var user = final.LastOrDefault(l => l.StartsWith("USER ", StringComparison.OrdinalIgnoreCase));
        if (user is null) problems.Add("no USER in the final stage: the service would run as root");
        else if (user[5..].Trim() is "root" or "0" or "0:0") problems.Add($"the final stage runs as root ({user})");

        foreach (var font in new[] { "fonts-liberation2", "fonts-dejavu-core", "fonts-droid-fallback" })
            if (!final.Any(l => l.Contains(font, StringComparison.Ordinal))) problems.Add($"font package {font} is not installed in the final stage");

        var build = lines.Take(froms[^1].Index).ToList();
        var restore = build.FindIndex(l => l.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
        if (restore < 0) problems.Add("no separate dotnet restore layer in the build stage");
        else
        {
            var beforeRestore = build.Take(restore).ToList();
            if (beforeRestore.Any(l => l.StartsWith("COPY . ", StringComparison.Ordinal) || l.StartsWith("COPY shared/ ", StringComparison.Ordinal) || l.StartsWith("COPY services/ ", StringComparison.Ordinal)))
                problems.Add("source is copied before the restore: every code change would restore again");
            foreach (var project in projects)
                if (!beforeRestore.Any(l => l.StartsWith($"COPY {project} ", StringComparison.Ordinal)))
                    problems.Add($"{project} is not copied before the restore");
        }
        return problems;
    }

    private static List<string> RepoProjects() =>
        [.. new[] { "shared", "services" }
            .SelectMany(d => Directory.GetFiles(System.IO.Path.Combine(RepoPaths.Root, d), "*.csproj", SearchOption.AllDirectories))
            .Where(p => !p.Contains($"{System.IO.Path.DirectorySeparatorChar}bin{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !p.Contains($"{System.IO.Path.DirectorySeparatorChar}obj{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(p => System.IO.Path.GetRelativePath(RepoPaths.Root, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    // repository/name:1.2.3 with an optional -suffix (e.g. -bookworm-slim); a digest pin counts as pinned too.
    [GeneratedRegex(@"(:\d+\.\d+\.\d+(-[a-z0-9.-]+)?$)|(@sha256:[0-9a-f]{64}$)")]
    private static partial Regex PinnedTag();
}
