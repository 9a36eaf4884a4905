using System.Text.RegularExpressions;
using Billing.Testing;
using Dapper;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Billing.Foundation.Tests;

/// <summary>
/// The console's invoice and account pages and the run actions, on admin-api with planted invoices (the journey with
/// every service is in the end-to-end tests): search and paging, bad search values, the account page, a viewer's
/// pages without write controls, and retry-failed and cancel on a run's page.
/// </summary>
public sealed class When_operators_look_up_invoices_and_accounts_in_the_console(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private const int Periods = 20;
    private string Url(string path) => host.Api.BaseUrl + path;

    private Task<IPage> SignedInAsync(string key, string path) => host.SignedInAsync(key, path);

    private async Task<IAPIResponse> PostAsync(IPage page, string path, params (string Name, string Value)[] fields) =>
        await host.PostAsync(page, path, await ConsoleHost.TokenAsync(page), fields);

    private static readonly SemaphoreSlim Once = new(1, 1);
    private static bool planted;

    /// <summary>Six accounts, one invoice each for <see cref="Periods"/> months (120 invoices), issued a minute apart,
    /// all in one run; the first account's also carry usage in the open month.</summary>
    private async Task<List<(Guid Id, string Name)>> PlantAsync()
    {
        await using var conn = await host.Db.DataSource.OpenConnectionAsync();
        var accounts = (await conn.QueryAsync<(Guid, string)>("select id, name from accounts order by name")).ToList();
        await Once.WaitAsync();
        try
        {
            if (planted) return accounts;
            var runId = Guid.NewGuid();
            await conn.ExecuteAsync("""
                insert into invoice_runs (id, period, status, accounts, requested_by, started_at, fanned_out_at, completed_at)
                values (@runId, '2019-01', 'completed', 6, 'ops', now(), now(), now())
                """, new { runId });
            await conn.ExecuteAsync("""
                insert into invoices (id, run_id, account_id, period, issuer, number, currency, subtotal_minor, tax_rate, tax_minor, total_minor,
                                      due_at, issued_at, status, email_status)
                select gen_random_uuid(), @runId, a.id, to_char(date '2019-01-01' + (m * interval '1 month'), 'YYYY-MM'), 'default',
                       'INV-T-' || lpad((m * 6 + a.n)::text, 4, '0'), a.currency, 123456, 0, 0, 123456, date '2030-01-01',
                       timestamptz '2026-01-01' + (m * 6 + a.n) * interval '1 minute',
                       case when a.n = 1 then 'paid' else 'open' end, case when a.n = 2 then 'failed' else 'sent' end
                from (select id, currency, row_number() over (order by name) as n from accounts) a, generate_series(0, @last) m
                """, new { runId, last = Periods - 1 });
            var open = DateTime.UtcNow.ToString("yyyy-MM");
            await conn.ExecuteAsync("""
                insert into usage_records (account_id, period, metric, quantity, occurred_at, idempotency_key)
                values (@id, @open, 'api_calls', 1500, now(), 'console-1'), (@id, @open, 'api_calls', 2500.5, now(), 'console-2'),
                       (@id, @open, 'sms', 7, now(), 'console-3')
                """, new { id = accounts[0].Item1, open });
            planted = true;
            return accounts;
        }
        finally
        {
            Once.Release();
        }
    }

    [Fact]
    public async Task The_invoice_list_pages_newest_first_by_key_without_repeating_or_skipping_an_invoice()
    {
        await PlantAsync();
        var page = await SignedInAsync(ConsoleHost.ViewerKey, "/console/invoices?q=INV-T-");
        await Expect(page.GetByText($"{6 * Periods} invoices match, newest first.")).ToBeVisibleAsync();
        var seen = new List<string>();
        for (var n = 0; ; n++)
        {
            var numbers = await page.Locator("table.wide tbody th a").AllInnerTextsAsync();
            seen.AddRange(numbers);
            var older = page.GetByRole(AriaRole.Link, new() { Name = "Older invoices" });
            if (await older.CountAsync() == 0) break;
            Assert.True(n < 5, "too many pages");
            await older.ClickAsync();
            await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Invoices (older page)" })).ToBeVisibleAsync();
        }
        var expected = Enumerable.Range(1, 6 * Periods).Reverse().Select(i => $"INV-T-{i:D4}").ToList();
        Assert.Equal(expected, seen);
        // The search stays in the pager's links.
        Assert.Contains("q=INV-T-", page.Url);
    }

    [Fact]
    public async Task Invoices_are_found_by_number_account_name_account_id_and_status_and_totals_read_as_money()
    {
        var accounts = await PlantAsync();
        var page = await SignedInAsync(ConsoleHost.ViewerKey, "/console/invoices");

        await page.GetByLabel("Search", new() { Exact = true }).FillAsync("inv-t-001");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.GetByText("10 invoices match, newest first.")).ToBeVisibleAsync();

        var (id, name) = accounts[3];
        await page.GetByLabel("Search", new() { Exact = true }).FillAsync(name[^8..].ToLowerInvariant());
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.GetByText($"{Periods} invoices match")).ToBeVisibleAsync();
        await Expect(page.Locator("table.wide tbody tr").First).ToContainTextAsync(name);

        await page.GotoAsync(Url($"/console/invoices?q={id}&status=open"));
        await Expect(page.GetByText($"{Periods} invoices match")).ToBeVisibleAsync();
        await page.GotoAsync(Url("/console/invoices?q=INV-T-&status=paid"));
        await Expect(page.GetByText($"{Periods} invoices match")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Payment status")).ToHaveValueAsync("paid");
        await page.GotoAsync(Url("/console/invoices?email=failed"));
        await Expect(page.GetByText($"{Periods} invoices match")).ToBeVisibleAsync();
        // 1,234.56 in each currency's own minor units: EUR 1,234.56, JPY 123,456.
        await Expect(page.Locator("table.wide tbody")).ToContainTextAsync(new Regex(@"(EUR 1,234\.56|JPY 123,456|USD 1,234\.56)"));

        await page.GotoAsync(Url("/console/invoices?q=no-such-invoice"));
        await Expect(page.GetByText("No invoice matches.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_bad_search_value_names_its_field_and_lists_nothing()
    {
        var page = await SignedInAsync(ConsoleHost.ViewerKey, "/console/invoices");
        var response = await page.GotoAsync(Url("/console/invoices?run=not-a-run&status=lost&after=zzz"));
        Assert.Equal(400, response!.Status);
        var alert = page.GetByRole(AriaRole.Alert);
        await Expect(alert).ToContainTextAsync("The search was not run.");
        await Expect(alert).ToContainTextAsync("Run: 'not-a-run' is not a run id (a UUID).");
        await Expect(alert).ToContainTextAsync("Payment status: 'lost' is none of open, paid, uncollectible, void.");
        await Expect(alert).ToContainTextAsync("Page: 'zzz' is not an invoice id (a UUID).");
        await Expect(page.GetByLabel("Run id")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("table.wide")).ToHaveCountAsync(0);

        var accounts = await page.GotoAsync(Url("/console/accounts?after=nope"));
        Assert.Equal(400, accounts!.Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Page: 'nope' is not an account id (a UUID).");

        Assert.Equal(404, (await page.GotoAsync(Url($"/console/invoices/{Guid.NewGuid()}")))!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Invoice not found" })).ToBeVisibleAsync();
        Assert.Equal(404, (await page.GotoAsync(Url($"/console/accounts/{Guid.NewGuid()}")))!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Account not found" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_account_page_shows_its_plan_the_open_months_usage_and_its_latest_invoices()
    {
        var accounts = await PlantAsync();
        var (id, name) = accounts[0];
        var page = await SignedInAsync(ConsoleHost.ViewerKey, "/console/accounts");
        await page.GetByLabel("Search", new() { Exact = true }).FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.GetByText("1 account matches, by name.")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        await Expect(page).ToHaveURLAsync(Url($"/console/accounts/{id}"));

        var open = DateTime.UtcNow.ToString("yyyy-MM");
        var usage = page.GetByRole(AriaRole.Table, new() { Name = $"Usage recorded for {open}, by metric" });
        await Expect(usage.GetByRole(AriaRole.Row).Filter(new() { HasText = "api_calls" })).ToContainTextAsync(new Regex(@"api_calls\s*2\s*4,000\.5"));
        await Expect(usage.GetByRole(AriaRole.Row).Filter(new() { HasText = "sms" })).ToContainTextAsync(new Regex(@"sms\s*1\s*7"));
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = $"Latest invoices of {name} (20 of 20)" })).ToBeVisibleAsync();

        // An invoice with its lines and totals; no PDF rendered: the page says so and the PDF address answers 404.
        await page.GetByRole(AriaRole.Link, new() { Name = "INV-T-0115" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Invoice INV-T-0115", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText("No PDF yet: it is rendered after the invoice is issued.")).ToBeVisibleAsync();
        Assert.Equal(404, (await page.Context.APIRequest.GetAsync(page.Url + "/pdf")).Status);
    }

    [Fact]
    public async Task A_viewer_gets_no_resend_or_render_control_and_a_forged_one_answers_403()
    {
        await PlantAsync();
        await using var conn = await host.Db.DataSource.OpenConnectionAsync();
        var invoice = await conn.ExecuteScalarAsync<Guid>("select id from invoices where number = 'INV-T-0001'");
        var page = await SignedInAsync(ConsoleHost.ViewerKey, $"/console/invoices/{invoice}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Email deliveries" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Resend the email" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Re-render the PDF" })).ToHaveCountAsync(0);
        Assert.Equal(403, (await PostAsync(page, $"/console/invoices/{invoice}/resend")).Status);
        Assert.Equal(403, (await PostAsync(page, $"/console/invoices/{invoice}/render")).Status);

        // An operator has both; a resend of an invoice that does not exist is a 404 page and publishes nothing.
        var ops = await SignedInAsync(ConsoleHost.OperatorKey, $"/console/invoices/{invoice}");
        await Expect(ops.GetByRole(AriaRole.Button, new() { Name = "Resend the email" })).ToBeVisibleAsync();
        await Expect(ops.GetByRole(AriaRole.Button, new() { Name = "Re-render the PDF" })).ToBeVisibleAsync();
        var unlabelled = await ConsoleHost.UnlabelledControlsAsync(ops);
        Assert.True(unlabelled.Length == 0, string.Join(", ", unlabelled));
        Assert.Equal(404, (await PostAsync(ops, $"/console/invoices/{Guid.NewGuid()}/resend")).Status);
        Assert.Equal(404, (await PostAsync(ops, $"/console/invoices/{Guid.NewGuid()}/render")).Status);

        // The deliveries part the page polls during a resend: this invoice's (none yet); an unknown invoice is a 404.
        var deliveries = await ops.Context.APIRequest.GetAsync(host.Url($"/console/invoices/{invoice}/deliveries"));
        Assert.Equal(200, deliveries.Status);
        Assert.Contains("No email sent yet.", await deliveries.TextAsync());
        Assert.Equal(404, (await ops.Context.APIRequest.GetAsync(host.Url($"/console/invoices/{Guid.NewGuid()}/deliveries"))).Status);
        Assert.Equal(404, (await ops.Context.APIRequest.GetAsync(host.Url($"/console/invoices/{Guid.NewGuid()}/pdf"))).Status);
    }

    [Fact]
    public async Task A_run_with_failures_offers_retry_and_cancel_and_cancel_needs_its_confirmation()
    {
        var accounts = await PlantAsync();
        var runId = Guid.NewGuid();
        await using (var conn = await host.Db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("""
                insert into invoice_runs (id, period, status, accounts, requested_by, started_at, fanned_out_at)
                values (@runId, '2018-06', 'running', 6, 'ops', now(), now());
                insert into run_accounts (run_id, account_id, state, reason) values (@runId, @account, 'failed', 'plan missing');
                insert into stage_failures (run_id, account_id, stage, message_type, reason)
                values (@runId, @account, 'generate', 'GenerateInvoice', 'plan missing')
                """, new { runId, account = accounts[1].Id });
        }
        var viewer = await SignedInAsync(ConsoleHost.ViewerKey, $"/console/runs/{runId}");
        await Expect(viewer.GetByRole(AriaRole.Heading, new() { Name = "Run 2018-06" })).ToBeVisibleAsync();
        await Expect(viewer.GetByRole(AriaRole.Button, new() { Name = "Cancel run" })).ToHaveCountAsync(0);
        Assert.Equal(403, (await PostAsync(viewer, $"/console/runs/{runId}/cancel", ("confirm", "yes"))).Status);

        var page = await SignedInAsync(ConsoleHost.OperatorKey, $"/console/runs/{runId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Retry failed (1)" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "1 failed request was sent to its stage again." })).ToBeVisibleAsync();

        // Without the confirmation nothing changes and the box is named.
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel run" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Confirm: tick the box to say the run is to be cancelled.");
        await Expect(page.GetByLabel("Yes, cancel the run for 2018-06")).ToHaveAttributeAsync("aria-invalid", "true");
        await using (var conn = await host.Db.DataSource.OpenConnectionAsync())
            Assert.Equal("running", await conn.ExecuteScalarAsync<string>("select status from invoice_runs where id = @runId", new { runId }));

        await page.GetByLabel("Yes, cancel the run for 2018-06").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel run" }).ClickAsync();
        await Expect(page.GetByText("Cancel requested")).ToBeVisibleAsync();
        await using (var conn = await host.Db.DataSource.OpenConnectionAsync())
            Assert.Contains(await conn.ExecuteScalarAsync<string>("select status from invoice_runs where id = @runId", new { runId }), new[] { "cancelling", "cancelled" });
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel run" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_preview_with_a_bad_period_names_the_field_and_writes_nothing()
    {
        var page = await SignedInAsync(ConsoleHost.OperatorKey, "/console/runs");
        await page.GetByLabel("Period (year and month, yyyy-MM)").FillAsync("2026-13");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(page.Locator("#period-error")).ToContainTextAsync("Period:");
        await Expect(page.GetByRole(AriaRole.Region, new() { NameRegex = new Regex("^Preview of") })).ToHaveCountAsync(0);
        await using var conn = await host.Db.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("select count(*) from invoice_runs where period = '2026-13'"));
    }
}
