using System.Globalization;
using Microsoft.Playwright;

namespace Billing.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The trace UI as an operator sees it: the dashboard's pages in headless Chromium, signed in with the login link the
/// quick start prints (<c>BILLING_DASHBOARD_LOGIN_URL</c>, the browser token). Metrics have no telemetry API endpoint,
/// so they are read from the metrics page's table view.
/// </summary>
public sealed class DashboardPages
{
    private static readonly TimeSpan PageWait = TimeSpan.FromSeconds(30);
    private readonly TraceDashboard dashboard;

    private DashboardPages(TraceDashboard dashboard, IPage page)
    {
        this.dashboard = dashboard;
        Page = page;
    }

    public IPage Page { get; }

    /// <summary>Opens the login link in a new page; fails unless the dashboard let the browser in.</summary>
    public static async Task<DashboardPages> SignInAsync(Browser browser, TraceDashboard dashboard)
    {
        var page = await browser.NewPageAsync(1600, 1150);
        page.SetDefaultTimeout((float)PageWait.TotalMilliseconds);
        await page.GotoAsync(dashboard.Settings["BILLING_DASHBOARD_LOGIN_URL"]);
        await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/login", StringComparison.OrdinalIgnoreCase));
        return new DashboardPages(dashboard, page);
    }

    /// <summary>Goes to <paramref name="url"/> (a trace link); fails when the dashboard sent the browser to its login page.</summary>
    public async Task OpenAsync(string url)
    {
        await Page.GotoAsync(url);
        if (new Uri(Page.Url).AbsolutePath.StartsWith("/login", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"the dashboard asked for a login at {url}");
    }

    /// <summary>The row of a span in the trace detail page: its name cell reads "service: span name".</summary>
    public ILocator SpanRow(string service, string spanName) =>
        Page.GetByRole(AriaRole.Gridcell, new() { Name = $"{service}: {spanName}", Exact = true });

    /// <summary>The metrics page of one instrument of one resource (a service name), in its graph view.</summary>
    public async Task OpenMetricAsync(string resource, string meter, string instrument)
    {
        var query = $"meter={Uri.EscapeDataString(meter)}&instrument={Uri.EscapeDataString(instrument)}&duration=15&view=Graph";
        await OpenAsync($"{dashboard.Settings["BILLING_DASHBOARD_URL"]}/metrics/resource/{Uri.EscapeDataString(resource)}?{query}");
        await Page.GetByRole(AriaRole.Heading, new() { Name = instrument, Exact = true }).WaitForAsync();
        await Page.Locator("#tab-Graph[aria-selected=true]").WaitForAsync();
    }

    /// <summary>
    /// The newest row of an instrument's table view (newest first, one row per time slot): its column headers and
    /// values. Null while the table has no row yet. The view is reached by its tab: a table view opened straight from
    /// the URL sometimes fails to render in the dashboard.
    /// </summary>
    public async Task<MetricRow?> LatestMetricRowAsync(string resource, string meter, string instrument)
    {
        try
        {
            await OpenMetricAsync(resource, meter, instrument);
            await Page.Locator("#tab-Table").ClickAsync();
            // Every time slot, not only changes: a value that never changed (a drift count of 0) is a row too.
            var updatesOnly = Page.Locator(".table-switch fluent-switch");
            if (await updatesOnly.GetAttributeAsync("checked") == "true")
            {
                await updatesOnly.ClickAsync();
                await Page.Locator(".table-switch fluent-switch:not([checked=true])").WaitForAsync();
            }
            // The first table of the panel is the values; the second the filters (a tag and its values per row).
            var table = Page.Locator("#tab-Table-panel table").First;
            await table.WaitForAsync();
            var first = table.Locator("tbody tr[role=row]:not([row-state=empty-content]):has(td[role=gridcell])").First;
            await first.WaitForAsync(new() { Timeout = 10_000 });
            var headers = (await table.Locator("thead th").AllInnerTextsAsync()).Select(h => h.Trim()).ToList();
            var cells = (await first.Locator("td[role=gridcell]").AllInnerTextsAsync()).Select(c => c.Trim()).ToList();
            return new MetricRow(instrument, headers, cells);
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            // No data yet, or the page's connection broke (the dashboard shows "An unhandled error has occurred"):
            // the next look loads the page anew.
            return null;
        }
    }

    public Task<string> ScreenshotAsync(string fileName) => Browser.ScreenshotAsync(Page, Browser.OutputPath(fileName));
}

/// <summary>One row of a metric's table view: Time, then one value column (a counter or gauge) or P50, P90, P99 (a histogram).</summary>
public sealed record MetricRow(string Instrument, IReadOnlyList<string> Headers, IReadOnlyList<string> Cells)
{
    /// <summary>The value under the column whose header starts with <paramref name="header"/>, or the first value column.</summary>
    public double Value(string? header = null)
    {
        var at = header is null ? 1 : Headers.ToList().FindIndex(h => h.StartsWith(header, StringComparison.OrdinalIgnoreCase));
        if (at < 1 || at >= Cells.Count) throw new InvalidOperationException($"{this}: no column {header ?? "of values"}");
        // The cell holds the number and an up/down marker; numbers are shown with group separators ("1,234").
        var text = new string(Cells[at].TakeWhile(c => char.IsDigit(c) || c is '.' or ',' or '-' or 'E' or 'e' or '+').ToArray()).Replace(",", "");
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{this}: column {Headers[at]} is not a number");
    }

    public override string ToString() =>
        $"{Instrument}: [{string.Join(" | ", Headers)}] = [{string.Join(" | ", Cells)}]";
}
