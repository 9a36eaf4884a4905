using System.Diagnostics;
using System.Text.Json.Nodes;
using Billing.Testing;

namespace Billing.Foundation.Tests;

/// <summary>
/// deploy/ci/licences.py, which the test command runs before the tests: it passes on the restored tree and fails,
/// naming the package, when a package outside the allowed licences is planted among the real ones.
/// </summary>
public sealed class LicenceCheck_Specs : IDisposable
{
    private static readonly string Script = Path.Combine(RepoPaths.Root, "deploy", "ci", "licences.py");
    private readonly string _dir = Directory.CreateTempSubdirectory("licences-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_restored_tree_passes()
    {
        var (exit, output) = Run("--root", RepoPaths.Root);

        Assert.True(exit == 0, output);
        Assert.Matches(@"licences: \d+ packages in \d+ projects, all under allowed licences", output);
    }

    [Fact]
    public void An_agpl_package_planted_among_the_real_ones_fails_the_check_and_is_named()
    {
        var assets = PlantInRealAssets(("Planted.Agpl", "1.0.0", "expression", "AGPL-3.0-only"));

        var (exit, output) = Run("--assets", assets);

        Assert.Equal(1, exit);
        Assert.Contains("licences: Planted.Agpl 1.0.0: AGPL-3.0-only", output);
        Assert.Contains("1 of ", output);
    }

    [Theory]
    [InlineData("expression", "MIT OR AGPL-3.0-only", true)]
    [InlineData("expression", "Apache-2.0 OR MPL-2.0", true)]
    [InlineData("expression", "(MIT AND BSD-3-Clause) OR GPL-2.0-only", true)]
    [InlineData("expression", "MIT AND AGPL-3.0-or-later", false)]
    [InlineData("expression", "GPL-2.0-only WITH Classpath-exception-2.0", false)]
    [InlineData("url", "https://licenses.nuget.org/MIT", true)]
    [InlineData("url", "https://licenses.nuget.org/AGPL-3.0-only", false)]
    [InlineData("url", "https://example.org/our-licence.html", false)]
    [InlineData("file", "LICENSE.txt", false)]
    public void A_licence_is_allowed_only_when_it_can_be_met_with_permissive_licences(string kind, string licence, bool allowed)
    {
        var assets = PlantInRealAssets(("Planted.Package", "2.0.0", kind, licence));

        var (exit, output) = Run("--assets", assets);

        Assert.True(allowed ? exit == 0 : exit == 1, output);
        Assert.Equal(!allowed, output.Contains("licences: Planted.Package 2.0.0:"));
    }

    [Fact]
    public void Nothing_restored_is_an_error_not_a_pass()
    {
        var (exit, output) = Run("--root", _dir);

        Assert.Equal(1, exit);
        Assert.Contains("no obj/project.assets.json found", output);
    }

    /// <summary>A copy of this test project's real assets file with one more package in a package folder of its own.</summary>
    private string PlantInRealAssets(params (string Id, string Version, string Kind, string Licence)[] packages)
    {
        var real = Path.Combine(RepoPaths.Root, "tests", "Billing.Foundation.Tests", "obj", "project.assets.json");
        var assets = JsonNode.Parse(File.ReadAllText(real))!.AsObject();
        var folder = Path.Combine(_dir, "packages") + Path.DirectorySeparatorChar;
        assets["packageFolders"]!.AsObject()[folder] = new JsonObject();
        foreach (var (id, version, kind, licence) in packages)
        {
            var path = $"{id.ToLowerInvariant()}/{version}";
            Directory.CreateDirectory(Path.Combine(folder, path));
            var element = kind == "url"
                ? $"<licenseUrl>{licence}</licenseUrl>"
                : $"<license type=\"{kind}\">{licence}</license>";
            File.WriteAllText(Path.Combine(folder, path, id.ToLowerInvariant() + ".nuspec"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
                  <metadata><id>{id}</id><version>{version}</version>{element}</metadata>
                </package>
                """);
            assets["libraries"]!.AsObject()[$"{id}/{version}"] = new JsonObject
            {
                ["type"] = "package",
                ["path"] = path,
                ["files"] = new JsonArray(id.ToLowerInvariant() + ".nuspec"),
            };
        }
        var planted = Path.Combine(_dir, "project.assets.json");
        File.WriteAllText(planted, assets.ToJsonString());
        return planted;
    }

    private static (int Exit, string Output) Run(params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
