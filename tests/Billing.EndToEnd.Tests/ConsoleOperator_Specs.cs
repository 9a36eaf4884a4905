using System.Text.RegularExpressions;
using Billing.EndToEnd.Tests.Infrastructure;
using Billing.Vocabulary;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Billing.EndToEnd.Tests;

/// <summary>
/// The operator's journey through the console, against every service running as a process on the real servers: sign
/// in, preview and start the month's run, watch the overview reach "completed" without reloading, open an invoice,
/// see its PDF, resend its email and see the new delivery listed.
/// </summary>
public sealed class When_an_operator_runs_the_month_from_the_console : IAsyncLifetime
{
    private const int Accounts = 8;
    private Pipeline pipeline = null!;
    private Browser browser = null!;

    public async Task InitializeAsync()
    {
        pipeline = await Pipeline.CreateAsync("e2econsole");
        pipeline.StartSmtp();
        await Seed.RunAsync(pipeline.Db.DataSource, Accounts, Pipeline.Period);
        await pipeline.StartAllAsync();
        browser = await Browser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        await pipeline.DisposeAsync();
    }

    private string Url(string path) => pipeline.Admin.BaseUrl + path;

    [Fact]
    public async Task Does_start_the_run_follow_it_to_completed_and_resend_an_invoice_whose_new_delivery_is_listed()
    {
        var page = await browser.NewPageAsync(1400, 1000);
        await page.GotoAsync(Url("/console/runs"));
        await Expect(page).ToHaveURLAsync(new Regex("/console/sign-in"));
        await page.GetByLabel("API key").FillAsync(pipeline.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(Url("/console/runs"));

        // The preview first: what the run would issue, nothing written.
        await page.GetByLabel("Period (year and month, yyyy-MM)").FillAsync(Pipeline.Period);
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        var preview = page.GetByRole(AriaRole.Region, new() { Name = $"Preview of {Pipeline.Period} (nothing was written)" });
        await Expect(preview).ToContainTextAsync(new Regex($@"Invoices to issue\s*{Accounts}\b"));
        Assert.Equal(0L, await pipeline.Db.DataSource.CreateCommand("select count(*) from invoice_runs").ExecuteScalarAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/console/runs/[0-9a-f-]{36}$"));
        var runId = await pipeline.RunIdAsync();

        // The overview follows the run to its end without being reloaded.
        await page.GetByRole(AriaRole.Link, new() { Name = "Overview" }).ClickAsync();
        await page.EvaluateAsync("() => { window.notReloaded = true; }");
        var last = page.GetByRole(AriaRole.Region, new() { Name = $"Last finished run: {Pipeline.Period}" });
        await Expect(last.GetByText("Completed").First).ToBeVisibleAsync(new() { Timeout = 180_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the overview was reloaded");
        await Expect(last.Locator("pre")).ToContainTextAsync($"Accounts   {Accounts}: {Accounts} invoiced, 0 skipped, 0 failed");
        Assert.Equal("completed", await pipeline.RunStatusAsync(runId));

        // The run's invoices, and one of them with its lines, total as money and PDF.
        var invoices = (await pipeline.InvoicesAsync(runId)).OrderBy(i => i.Number, StringComparer.Ordinal).ToList();
        Assert.Equal(Accounts, invoices.Count);
        var invoice = invoices[0];
        await page.GetByRole(AriaRole.Link, new() { Name = "Invoices", Exact = true }).ClickAsync();
        await page.GetByLabel("Run id").FillAsync(runId.ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.GetByText($"{Accounts} invoices match")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = invoice.Number, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Invoice {invoice.Number}", Level = 1 })).ToBeVisibleAsync();
        await using (var read = pipeline.Db.DataSource.CreateCommand($"select total_minor, currency from invoices where id = '{invoice.Id}'"))
        await using (var row = await read.ExecuteReaderAsync())
        {
            Assert.True(await row.ReadAsync());
            await Expect(page.Locator("dl.facts")).ToContainTextAsync(MoneyText.Format(row.GetInt64(0), row.GetString(1)));
        }
        var pdfFrame = page.Locator("iframe.pdf");
        await Expect(pdfFrame).ToBeVisibleAsync();
        var pdf = await page.Context.APIRequest.GetAsync(Url(await pdfFrame.GetAttributeAsync("src") ?? ""));
        Assert.Equal(200, pdf.Status);
        Assert.StartsWith("application/pdf", pdf.Headers["content-type"]);
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString((await pdf.BodyAsync())[..4]));
        Assert.Equal(invoice.PdfSha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await pdf.BodyAsync())));

        // Resend: the page follows the new delivery until it is sent, without a reload.
        var deliveries = page.GetByRole(AriaRole.Table, new() { Name = "Deliveries, oldest first" });
        await Expect(deliveries.Locator("tbody tr")).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Resend the email" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/console/invoices/{invoice.Id}\\?resent="));
        await page.EvaluateAsync("() => { window.notReloaded = true; }");
        await Expect(deliveries.Locator("tbody tr")).ToHaveCountAsync(2, new() { Timeout = 60_000 });
        var second = deliveries.Locator("tbody tr").Nth(1);
        await Expect(second).ToContainTextAsync("✓ accepted by the mail server", new() { Timeout = 60_000 });
        await Expect(second).ToContainTextAsync("e2e");
        await Expect(page.GetByText("The resend is delivery 2: ✓ accepted by the mail server.")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the invoice page was reloaded");
        Assert.Equal(2, MaildirReader.Read(pipeline.Maildir).Count(m => m.Subject.Contains(invoice.Number, StringComparison.Ordinal)));

        // The README's screenshot, once the browser's PDF viewer has drawn the first page.
        await page.Locator("#pdf").ScrollIntoViewIfNeededAsync();
        await page.WaitForTimeoutAsync(3000);
        await Browser.ScreenshotAsync(page, Path.Combine(RepoPaths.Root, "docs", "images", "console-invoice.png"), fullPage: true);
    }
}
