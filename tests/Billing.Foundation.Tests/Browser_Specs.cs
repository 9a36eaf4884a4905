using Billing.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Billing.Foundation.Tests;

/// <summary>The browser tests' helper: the system's Chromium, headless, on a page served here.</summary>
public sealed class When_a_page_is_opened_in_the_system_chromium : IAsyncLifetime
{
    private WebApplication site = null!;
    private string url = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        url = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        builder.WebHost.UseUrls(url);
        site = builder.Build();
        site.MapGet("/", () => Results.Content(
            """
            <!doctype html><html><head><title>probe</title></head><body>
            <h1>Invoices</h1><table><tr><td id="n">INV-0001</td></tr></table>
            <script>document.getElementById('n').insertAdjacentHTML('afterend', '<td id="later">rendered by script</td>');</script>
            </body></html>
            """, "text/html"));
        await site.StartAsync();
    }

    public async Task DisposeAsync() => await site.DisposeAsync();

    [Fact]
    public async Task Does_render_the_page_with_its_script_and_save_a_png_screenshot()
    {
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync(800, 600);
        await page.GotoAsync(url);

        Assert.Equal("probe", await page.TitleAsync());
        await Assertions.Expect(page.Locator("#later")).ToHaveTextAsync("rendered by script");
        Assert.True(await page.GetByText("INV-0001").IsVisibleAsync());
        Assert.Contains("HeadlessChrome", await page.EvaluateAsync<string>("navigator.userAgent"));

        var path = Path.Combine(Path.GetTempPath(), $"browser-spec-{Guid.NewGuid():N}", "page.png");
        try
        {
            Assert.Equal(path, await Browser.ScreenshotAsync(page, path));
            var png = await File.ReadAllBytesAsync(path);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            // The IHDR chunk: width and height of the viewport, big-endian.
            Assert.Equal(800, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
            Assert.Equal(600, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, true);
        }
    }

    [Fact]
    public async Task Does_name_the_missing_executable_and_the_package_to_install()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-chromium-{Guid.NewGuid():N}");
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => Browser.LaunchAsync(missing));
        Assert.Contains(missing, error.Message);
        Assert.Contains("chromium", error.Message);
        Assert.Equal(missing, error.FileName);
    }
}
