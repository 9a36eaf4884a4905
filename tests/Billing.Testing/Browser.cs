using Microsoft.Playwright;

namespace Billing.Testing;

/// <summary>
/// Headless Chromium for browser tests: Microsoft.Playwright driving the system's Chromium (the Debian package
/// <c>chromium</c>, installed by <c>deploy/local/servers.sh</c>). Playwright's own browser builds are never downloaded
/// or used. One browser per instance; each <see cref="NewPageAsync"/> is a fresh context (no cookies shared).
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    /// <summary>Where Debian's package puts Chromium's launcher.</summary>
    public const string SystemChromium = "/usr/bin/chromium";

    private readonly IPlaywright playwright;
    private readonly List<IBrowserContext> contexts = [];

    private Browser(IPlaywright playwright, IBrowser chromium)
    {
        this.playwright = playwright;
        Chromium = chromium;
    }

    public IBrowser Chromium { get; }

    /// <summary>Starts headless Chromium from <paramref name="executable"/> (default <see cref="SystemChromium"/>).</summary>
    /// <exception cref="FileNotFoundException">No executable there; the message says how to install it.</exception>
    public static async Task<Browser> LaunchAsync(string executable = SystemChromium)
    {
        if (!File.Exists(executable))
            throw new FileNotFoundException(
                $"Chromium not found at {executable}: install the Debian package chromium (deploy/local/servers.sh packages does)", executable);
        var playwright = await Playwright.CreateAsync();
        try
        {
            var chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                // A container's /dev/shm is small; Chromium then writes its shared memory to /tmp instead.
                Args = ["--disable-dev-shm-usage"],
                Timeout = 60_000,
            });
            return new Browser(playwright, chromium);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A new page in a context of its own, <paramref name="width"/>×<paramref name="height"/> CSS pixels.</summary>
    public async Task<IPage> NewPageAsync(int width = 1600, int height = 1000)
    {
        var context = await Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        contexts.Add(context);
        return await context.NewPageAsync();
    }

    /// <summary>Saves a PNG of <paramref name="page"/> (the viewport, or the whole page) to <paramref name="path"/>, creating its folder.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string path, bool fullPage = false)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = full, FullPage = fullPage, Type = ScreenshotType.Png });
        return full;
    }

    /// <summary>Where a test writes a screenshot: <c>screenshots/</c> under the test's output folder.</summary>
    public static string OutputPath(string fileName) => Path.Combine(AppContext.BaseDirectory, "screenshots", fileName);

    public async ValueTask DisposeAsync()
    {
        foreach (var context in contexts) await context.CloseAsync();
        await Chromium.CloseAsync();
        playwright.Dispose();
    }
}
