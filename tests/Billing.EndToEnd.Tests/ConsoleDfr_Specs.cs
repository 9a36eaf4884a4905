using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Billing.EndToEnd.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Billing.EndToEnd.Tests;

/// <summary>
/// The duty engineer's journey in the operator console: the SMTP server is down during a run, so every email ends in
/// the mailer's dead-letter queue and the run needs attention. In Chromium the engineer finds the queue, sees the group
/// with the invoices and accounts it holds, brings the server back, dry-runs and redrives the run's messages, follows the job to
/// done, and the run completes; the audit log names the engineer's key.
/// </summary>
public sealed class When_the_duty_engineer_redrives_a_run_s_dead_letters_in_the_console : IAsyncLifetime
{
    private const int Accounts = 10;
    private const string ErrorQueue = "invoice-pdf-rendered_error";
    private Pipeline pipeline = null!;
    private Browser browser = null!;

    public async Task InitializeAsync()
    {
        pipeline = await Pipeline.CreateAsync("e2econsoledfr");
        await Seed.RunAsync(pipeline.Db.DataSource, Accounts, Pipeline.Period);
        // The planted fault: no SMTP server until the engineer has found the dead letters.
        await pipeline.StartAllAsync();
        browser = await Browser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task Does_complete_the_run_after_a_dry_run_and_a_redrive_of_its_messages()
    {
        using (var api = pipeline.Api())
        {
            var started = await api.PostAsJsonAsync("/api/runs", new { period = Pipeline.Period });
            Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());
        }
        var runId = await pipeline.RunIdAsync();
        await Eventually.Until(() => pipeline.QueueNumberAsync(ErrorQueue, "messages"), n => n == Accounts, TimeSpan.FromMinutes(5));
        await Eventually.Until(() => pipeline.RunStatusAsync(runId), s => s == "needs_attention", TimeSpan.FromMinutes(2));
        var invoice = (await pipeline.InvoicesAsync(runId)).OrderBy(i => i.Number, StringComparer.Ordinal).First();

        var page = await browser.NewPageAsync(1400, 1000);
        await page.GotoAsync(pipeline.Admin.BaseUrl + "/console/dead-letters");
        await page.GetByLabel("API key").FillAsync(pipeline.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var queues = page.GetByRole(AriaRole.Table, new() { Name = "Dead-letter queues (error, skipped, parked)" });
        var row = queues.GetByRole(AriaRole.Row).Filter(new() { HasText = ErrorQueue });
        await Expect(row.Locator("td.num")).ToHaveTextAsync(Accounts.ToString());

        // The queue's groups (one per exception and first frame the refused connections gave), all of the emails of the
        // run, and each message naming its invoice, account and run.
        await row.GetByRole(AriaRole.Link, new() { Name = ErrorQueue }).ClickAsync();
        var groups = page.GetByRole(AriaRole.Table, new() { NameRegex = new Regex("^Messages grouped by") }).Locator("tbody tr");
        await Expect(groups.First).ToContainTextAsync("InvoicePdfRendered");
        var counts = await groups.Locator("td.num").AllInnerTextsAsync();
        Assert.Equal(Accounts, counts.Sum(int.Parse));
        var message = page.GetByRole(AriaRole.Table, new() { Name = "Messages", Exact = true }).Locator("tbody tr")
            .Filter(new() { Has = page.Locator($"a[href='/console/invoices/{invoice.Id}']") });
        await Expect(message).ToHaveCountAsync(1);
        await Expect(message.Locator($"a[href='/console/accounts/{invoice.AccountId}']")).ToBeVisibleAsync();
        await Expect(message.Locator($"a[href='/console/runs/{runId}']")).ToBeVisibleAsync();

        // The cause is removed; then a dry run of the run's messages, and the redrive it confirms.
        pipeline.StartSmtp();
        await page.GetByLabel("Business key (name=value)").FillAsync($"runId={runId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Dry run" }).ClickAsync();
        var plan = page.GetByRole(AriaRole.Table, new() { Name = "Where the messages would go" });
        await Expect(plan.GetByRole(AriaRole.Row).Filter(new() { HasText = "invoice-pdf-rendered" }).Locator("td.num")).ToHaveTextAsync(Accounts.ToString());
        await page.GetByLabel("Rate (messages per second)").FillAsync("20");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Redrive {Accounts} messages" }).ClickAsync();
        await Expect(page.Locator("#job-state")).ToContainTextAsync("Done", new() { Timeout = 60_000 });
        await Expect(page.Locator("#job-counts")).ToContainTextAsync($"{Accounts} of {Accounts}");

        await pipeline.WaitCompletedAsync(runId);
        await pipeline.AssertRunInvariantsAsync(runId, Accounts);
        await page.GotoAsync(pipeline.Admin.BaseUrl + $"/console/runs/{runId}");
        await Expect(page.GetByText("Completed").First).ToBeVisibleAsync();

        // The audit log: the dry run and the redrive, both by the engineer's key.
        await page.GotoAsync(pipeline.Admin.BaseUrl + "/console/dead-letters");
        var audit = page.GetByRole(AriaRole.Table, new() { NameRegex = new Regex("^Audit log") }).GetByRole(AriaRole.Row).Filter(new() { HasText = ErrorQueue });
        await Expect(audit).ToHaveCountAsync(2);
        await Expect(audit.Nth(0)).ToContainTextAsync("e2e");
        await Expect(audit.Nth(0)).ToContainTextAsync($"{Accounts} of {Accounts} moved");
        await Expect(audit.Nth(1)).ToContainTextAsync("dry run of a redrive");
        await Expect(row.Locator("td.num")).ToHaveTextAsync("0");
    }
}
