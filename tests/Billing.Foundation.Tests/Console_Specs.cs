using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Billing.Api.Contracts;
using Billing.Testing;
using Dapper;
using Microsoft.Playwright;
using Npgsql;
using static Microsoft.Playwright.Assertions;

namespace Billing.Foundation.Tests;

/// <summary>
/// admin-api started as its own process on its own database and vhost, with an operator and a viewer key configured,
/// six accounts seeded, and the system's Chromium to drive the console with.
/// </summary>
public sealed class ConsoleHost : IAsyncLifetime
{
    public const string OperatorKey = "bk_console_operator_5e4d3c2b1a0f9e8d7c6b";
    public const string ViewerKey = "bk_console_viewer_0f1e2d3c4b5a69788796";
    public const string SeedPeriod = "2026-10";
    public const string TraceUi = "http://traces.test/trace/{trace_id}";

    public TestDatabase Db { get; private set; } = null!;
    public ServiceProcess Api { get; private set; } = null!;
    public Browser Browser { get; private set; } = null!;
    private TestVhost vhost = null!;

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public async Task InitializeAsync()
    {
        Db = await TestDatabase.CreateAsync("console");
        vhost = await TestVhost.CreateAsync("console");
        await Seed.RunAsync(Db.DataSource, 6, SeedPeriod);
        Api = await StartApiAsync();
        Browser = await Browser.LaunchAsync();
    }

    /// <summary>An admin-api process on this database and vhost (a second one is another replica).</summary>
    public async Task<ServiceProcess> StartApiAsync()
    {
        var api = ServiceProcess.Start("admin-api", "Billing.AdminApi", new Dictionary<string, string?>
        {
            ["Postgres__ConnectionString"] = Db.ConnectionString,
            ["RabbitMq__Url"] = vhost.AmqpUrl,
            ["RabbitMq__ManagementUrl"] = TestServers.RabbitManagementUrl,
            ["Auth__ApiKeys"] = $"ops:operator:{Hash(OperatorKey)};dash:viewer:{Hash(ViewerKey)}",
            ["BILLING_TRACE_UI_URL"] = TraceUi,
        });
        await api.WaitHealthyAsync();
        return api;
    }

    public string Url(string path) => Api.BaseUrl + path;

    /// <summary>A new browser context signed in with <paramref name="key"/> through the sign-in form, on <paramref name="path"/>.</summary>
    public async Task<IPage> SignedInAsync(string key, string path = "/console")
    {
        var page = await Browser.NewPageAsync(1400, 1000);
        await page.GotoAsync(Url(path));
        await Expect(page).ToHaveURLAsync(new Regex(@"/console/sign-in\?returnUrl="));
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(Url(path));
        return page;
    }

    /// <summary>The antiforgery token of the page's first form (the sign-out form is on every page).</summary>
    public static Task<string?> TokenAsync(IPage page) =>
        page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");

    /// <summary>A form POST with the page's cookies, as a script on another site or a hand-made request would send it.</summary>
    public async Task<IAPIResponse> PostAsync(IPage page, string path, string? token, params (string Name, string Value)[] fields)
    {
        var form = page.Context.APIRequest.CreateFormData();
        foreach (var (name, value) in fields) form.Set(name, value);
        if (token is not null) form.Set("__RequestVerificationToken", token);
        return await page.Context.APIRequest.PostAsync(Url(path), new() { Form = form, MaxRedirects = 0 });
    }

    /// <summary>The visible form controls of the page with no label, text or aria-label (their HTML).</summary>
    public static Task<string[]> UnlabelledControlsAsync(IPage page) =>
        page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
                .filter(e => e.checkVisibility() && !(e.labels && e.labels.length) && !e.textContent.trim() && !e.getAttribute('aria-label'))
                .map(e => e.outerHTML)
            """);

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Api.DisposeAsync();
        await vhost.DisposeAsync();
        await Db.DisposeAsync();
    }
}

/// <summary>
/// The operator console (<c>/console</c>) in Chromium: signing in with a pasted API key, the session cookie, pages
/// that need a session, the overview's live figures and closing report, runs and their failures, starting a run, and
/// keys created and revoked from the keys page. Writes need an operator's session and the form's antiforgery token.
/// </summary>
public sealed class When_operators_use_the_console(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private static readonly Regex SignInUrl = new(@"/console/sign-in\?returnUrl=");
    private string Url(string path) => host.Api.BaseUrl + path;

    private Task<IPage> SignedInAsync(string key, string path = "/console") => host.SignedInAsync(key, path);

    private static Task<string?> TokenAsync(IPage page) => ConsoleHost.TokenAsync(page);

    private Task<IAPIResponse> PostAsync(IPage page, string path, string? token, params (string Name, string Value)[] fields) =>
        host.PostAsync(page, path, token, fields);

    private HttpClient Api(string? key = null, bool redirects = false)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = redirects }) { BaseAddress = new Uri(host.Api.BaseUrl) };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private async Task<long> CountAsync(string sql, object? args = null)
    {
        await using var conn = await host.Db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>(sql, args);
    }

    [Fact]
    public async Task Signing_in_with_an_operator_key_opens_the_overview_with_a_session_cookie_that_holds_no_key()
    {
        var page = await SignedInAsync(ConsoleHost.OperatorKey);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText("Signed in as ops (operator)")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dead letters" })).ToBeVisibleAsync();

        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "billing_console");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/console", cookie.Path);
        Assert.Equal(-1, cookie.Expires); // a session cookie; the ticket inside expires after Console__SessionHours unused
        Assert.DoesNotContain(ConsoleHost.OperatorKey, cookie.Value);
        Assert.DoesNotContain(ConsoleHost.OperatorKey, await page.ContentAsync());

        // The key never reaches the log either.
        Assert.DoesNotContain(ConsoleHost.OperatorKey, host.Api.Output);

        // Signing out ends the session: the console asks for a key again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/console/sign-in"));
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "billing_console");
        await page.GotoAsync(Url("/console/keys"));
        await Expect(page).ToHaveURLAsync(SignInUrl);
    }

    [Fact]
    public async Task Without_a_session_every_console_page_redirects_to_sign_in_and_the_api_is_unchanged()
    {
        using var client = Api();
        foreach (var path in new[] { "/console", "/console/runs", $"/console/runs/{Guid.NewGuid()}", "/console/keys", "/console/live", "/console/no-such-page?x=1" })
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Found, $"{path}: {response.StatusCode}");
            Assert.Equal($"/console/sign-in?returnUrl={Uri.EscapeDataString(path)}", response.Headers.Location?.OriginalString);
        }
        // Writes without a session do nothing either.
        var post = await client.PostAsync("/console/runs", new FormUrlEncodedContent(new Dictionary<string, string> { ["period"] = "2020-05" }));
        Assert.Equal(HttpStatusCode.Found, post.StatusCode);
        Assert.Equal(0, await CountAsync("select count(*) from invoice_runs where period = '2020-05'"));
        // The live script's requests get 401 rather than a sign-in page.
        var live = new HttpRequestMessage(HttpMethod.Get, "/console/live") { Headers = { { "X-Requested-With", "fetch" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(live)).StatusCode);

        // The sign-in form and its stylesheet need no session; a returnUrl elsewhere is not followed.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/console/sign-in")).StatusCode);
        var evil = await client.GetStringAsync("/console/sign-in?returnUrl=" + Uri.EscapeDataString("https://evil.example/console"));
        Assert.Contains("name=\"returnUrl\" value=\"/console\"", evil);
        var css = Regex.Match(evil, "href=\"(/console/assets/console.css[^\"]*)\"").Groups[1].Value;
        var stylesheet = await client.GetAsync(css);
        Assert.Equal("text/css", stylesheet.Content.Headers.ContentType?.MediaType);

        // The API keeps its bearer keys and problem answers; a console session is no API credential.
        var unauthorized = await client.GetAsync("/api/whoami");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("application/problem+json", unauthorized.Content.Headers.ContentType?.MediaType);
        var viewerWrite = await Api(ConsoleHost.ViewerKey).PostAsJsonAsync("/api/keys", new { name = "nope" });
        Assert.Equal(HttpStatusCode.Forbidden, viewerWrite.StatusCode);
        Assert.Equal("application/problem+json", viewerWrite.Content.Headers.ContentType?.MediaType);
        var page = await SignedInAsync(ConsoleHost.OperatorKey);
        var fromBrowser = await page.Context.APIRequest.GetAsync(Url("/api/whoami"));
        Assert.Equal(401, fromBrowser.Status);
    }

    [Fact]
    public async Task A_wrong_key_shows_an_error_and_sets_no_session_cookie()
    {
        var page = await host.Browser.NewPageAsync();
        await page.GotoAsync(Url("/console/runs"));
        await page.GetByLabel("API key").FillAsync("bk_not_a_key_of_this_console_123456");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("API key: this key is not known or has been revoked.");
        await Expect(page.GetByLabel("API key")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "billing_console");
        await page.GotoAsync(Url("/console"));
        await Expect(page).ToHaveURLAsync(SignInUrl);

        // An empty form says what is missing.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("API key: paste a key to sign in.");
    }

    [Fact]
    public async Task A_viewer_sees_no_write_controls_and_a_forged_post_with_a_valid_token_answers_403()
    {
        var page = await SignedInAsync(ConsoleHost.ViewerKey, "/console/runs");
        await Expect(page.GetByText("Signed in as dash (viewer)")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "All runs" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Period (year and month, yyyy-MM)")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start run" })).ToHaveCountAsync(0);
        await page.GotoAsync(Url("/console/keys"));
        await Expect(page.GetByRole(AriaRole.Rowheader, new() { Name = "ops", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create key" })).ToHaveCountAsync(0);
        await Expect(page.Locator("form[action$='/revoke']")).ToHaveCountAsync(0);

        // The page's own token is valid for this session: only the role refuses the forged requests.
        var token = await TokenAsync(page);
        Assert.False(string.IsNullOrEmpty(token));
        var keysBefore = await CountAsync("select count(*) from api_keys");
        var start = await PostAsync(page, "/console/runs", token, ("period", "2020-02"));
        Assert.Equal(403, start.Status);
        Assert.Contains("needs an operator key", await start.TextAsync());
        var create = await PostAsync(page, "/console/keys", token, ("name", "sneaky"), ("role", "operator"));
        Assert.Equal(403, create.Status);
        var revoke = await PostAsync(page, $"/console/keys/{Guid.NewGuid()}/revoke", token);
        Assert.Equal(403, revoke.Status);
        Assert.Equal(0, await CountAsync("select count(*) from invoice_runs where period = '2020-02'"));
        Assert.Equal(keysBefore, await CountAsync("select count(*) from api_keys"));
    }

    [Fact]
    public async Task A_post_without_an_antiforgery_token_is_refused_with_400_and_changes_nothing()
    {
        var page = await SignedInAsync(ConsoleHost.OperatorKey, "/console/runs");
        var keysBefore = await CountAsync("select count(*) from api_keys");

        var start = await PostAsync(page, "/console/runs", null, ("period", "2020-03"));
        Assert.Equal(400, start.Status);
        Assert.Contains("Form refused", await start.TextAsync());
        var forged = await PostAsync(page, "/console/runs", "CfDJ8-not-a-token", ("period", "2020-03"));
        Assert.Equal(400, forged.Status);
        Assert.Equal(400, (await PostAsync(page, "/console/keys", null, ("name", "no-token"))).Status);
        Assert.Equal(400, (await PostAsync(page, "/console/sign-out", null)).Status);
        Assert.Equal(0, await CountAsync("select count(*) from invoice_runs where period = '2020-03'"));
        Assert.Equal(keysBefore, await CountAsync("select count(*) from api_keys"));

        // The sign-in form needs its token too.
        using var client = Api();
        var signIn = await client.PostAsync("/console/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = ConsoleHost.OperatorKey }));
        Assert.Equal(HttpStatusCode.BadRequest, signIn.StatusCode);
        Assert.DoesNotContain(signIn.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("billing_console=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_key_created_on_the_keys_page_works_at_once_and_revoking_it_ends_its_api_access_and_console_session()
    {
        var admin = await SignedInAsync(ConsoleHost.OperatorKey, "/console/keys");
        await admin.GetByLabel("Name").FillAsync("month-end-desk");
        await admin.GetByLabel("Role").SelectOptionAsync("viewer");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "New key: month-end-desk (viewer)" })).ToBeVisibleAsync();
        var secret = await admin.GetByLabel("The new API key").InputValueAsync();
        Assert.Matches("^bk_[0-9a-f]{48}$", secret);
        await Expect(admin.GetByRole(AriaRole.Rowheader, new() { Name = "month-end-desk", Exact = true })).ToBeVisibleAsync();

        // The key works with the API at once.
        var me = await Api(secret).GetFromJsonAsync<WhoAmI>("/api/whoami", ApiJson.Options);
        Assert.Equal(new WhoAmI("month-end-desk", "viewer"), me);

        // It is shown once: the keys page never shows it again.
        await admin.GotoAsync(Url("/console/keys?revoked=true"));
        Assert.DoesNotContain(secret, await admin.ContentAsync());

        // Its holder signs in to the console in another browser context and watches the overview.
        var desk = await SignedInAsync(secret);
        await Expect(desk.GetByText("Signed in as month-end-desk (viewer)")).ToBeVisibleAsync();

        await admin.GotoAsync(Url("/console/keys"));
        var row = admin.GetByRole(AriaRole.Row).Filter(new() { Has = admin.GetByRole(AriaRole.Rowheader, new() { Name = "month-end-desk", Exact = true }) });
        await row.Locator("summary").ClickAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke month-end-desk" }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Status).Filter(new() { HasText = "was revoked" })).ToContainTextAsync("Key month-end-desk was revoked");

        Assert.Equal(HttpStatusCode.Unauthorized, (await Api(secret).GetAsync("/api/whoami")).StatusCode);
        // The open overview's next live request finds the session over, and the page goes to sign-in by itself.
        await Expect(desk).ToHaveURLAsync(SignInUrl, new() { Timeout = 15_000 });
        Assert.DoesNotContain(await desk.Context.CookiesAsync(), c => c.Name == "billing_console");
        await desk.GetByLabel("API key").FillAsync(secret);
        await desk.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(desk.GetByRole(AriaRole.Alert)).ToContainTextAsync("not known or has been revoked");
    }

    [Fact]
    public async Task A_bad_period_in_the_start_form_names_the_field_and_stores_nothing_and_a_good_one_starts_the_run()
    {
        var page = await SignedInAsync(ConsoleHost.OperatorKey, "/console/runs");
        var before = await CountAsync("select count(*) from invoice_runs");
        var period = page.GetByLabel("Period (year and month, yyyy-MM)");

        await period.FillAsync("2026-13");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();
        var alert = page.GetByRole(AriaRole.Alert);
        await Expect(alert).ToContainTextAsync("The run was not started.");
        await Expect(alert).ToContainTextAsync("Period: '2026-13' is not a period; expected yyyy-MM such as 2026-10");
        await Expect(period).ToHaveValueAsync("2026-13");
        await Expect(period).ToHaveAttributeAsync("aria-invalid", "true");

        await period.FillAsync("2099-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Period: 2099-01 has not ended");

        await page.GetByLabel("Period (year and month, yyyy-MM)").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Period: is required");
        Assert.Equal(before, await CountAsync("select count(*) from invoice_runs"));

        // A period that has ended starts the run, requested by the session's key, and opens its page.
        await page.GetByLabel("Period (year and month, yyyy-MM)").FillAsync("2020-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Run 2020-01", Level = 1 })).ToBeVisibleAsync();
        Assert.Equal(1, await CountAsync("select count(*) from invoice_runs where period = '2020-01' and requested_by = 'ops'"));

        // A second run of the period is refused and named.
        await page.GotoAsync(Url("/console/runs"));
        await page.GetByLabel("Period (year and month, yyyy-MM)").FillAsync("2020-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("A run for 2020-01 is already going on");
        Assert.Equal(1, await CountAsync("select count(*) from invoice_runs where period = '2020-01'"));
    }

    [Fact]
    public async Task The_runs_list_pages_by_key_newest_first()
    {
        // Thirty finished runs of 2021 to 2023, started before any other run of this database.
        await using (var conn = await host.Db.DataSource.OpenConnectionAsync())
            for (var i = 0; i < 30; i++)
                await conn.ExecuteAsync("""
                    insert into invoice_runs (id, period, status, accounts, requested_by, started_at, fanned_out_at, completed_at)
                    values (@id, @period, 'completed', 0, 'history', @at, @at, @at)
                    """, new { id = Guid.NewGuid(), period = $"{2021 + i / 12}-{i % 12 + 1:D2}", at = new DateTime(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(i) });

        var page = await SignedInAsync(ConsoleHost.OperatorKey, "/console/runs");
        var seen = new List<string>();
        var pages = 0;
        while (true)
        {
            pages++;
            var rows = page.GetByRole(AriaRole.Table).Locator("tbody tr");
            var count = await rows.CountAsync();
            Assert.InRange(count, 1, 25);
            seen.AddRange(await rows.Locator("th").AllInnerTextsAsync());
            var older = page.GetByRole(AriaRole.Link, new() { Name = "Older runs" });
            if (await older.CountAsync() == 0) break;
            Assert.Equal(25, count);
            var href = await older.GetAttributeAsync("href");
            Assert.Matches("^/console/runs\\?after=[0-9a-f-]{36}$", href);
            await older.ClickAsync();
            await Expect(page).ToHaveURLAsync(Url(href!));
        }
        var total = await CountAsync("select count(*) from invoice_runs");
        Assert.Equal(total, seen.Count);
        Assert.True(pages >= 2);
        // Newest first: the history runs come last, newest of them first, and none twice.
        var periods = Enumerable.Range(0, 30).Reverse().Select(i => $"{2021 + i / 12}-{i % 12 + 1:D2}").ToList();
        Assert.Equal(periods, seen.Where(periods.Contains));
        Assert.Equal(periods, seen.TakeLast(30));
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task A_runs_page_groups_its_open_failures_by_stage_and_reason()
    {
        var runId = Guid.NewGuid();
        await using (var conn = await host.Db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("""
                insert into invoice_runs (id, period, status, accounts, requested_by, started_at, fanned_out_at)
                values (@runId, '2019-06', 'needs_attention', 5, 'ops', now() - interval '2 hours', now() - interval '2 hours')
                """, new { runId });
            foreach (var (stage, reason) in new[]
                     {
                         ("generate", "plan 'legacy' not found"), ("generate", "plan 'legacy' not found"), ("generate", "plan 'legacy' not found"),
                         ("generate", "usage total overflows"), ("render", "PDF storage timed out"),
                     })
                await conn.ExecuteAsync("""
                    insert into stage_failures (run_id, account_id, stage, message_type, input_queue, exception_type, reason)
                    values (@runId, @account, @stage, 'GenerateInvoice', 'generate-invoice', 'System.InvalidOperationException', @reason)
                    """, new { runId, account = Guid.NewGuid(), stage, reason });
        }

        var page = await SignedInAsync(ConsoleHost.ViewerKey, $"/console/runs/{runId}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Run 2019-06", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText("Needs attention").First).ToBeVisibleAsync();
        var table = page.GetByRole(AriaRole.Table, new() { Name = "Open failures" });
        var rows = table.Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Nth(0)).ToContainTextAsync("generate");
        await Expect(rows.Nth(0)).ToContainTextAsync("plan 'legacy' not found");
        await Expect(rows.Nth(0).Locator("td.num")).ToHaveTextAsync("3");
        await Expect(rows.Nth(1)).ToContainTextAsync("usage total overflows");
        await Expect(rows.Nth(2)).ToContainTextAsync("render");
        await Expect(page.GetByText($"billing run retry-failed {runId}").First).ToBeVisibleAsync();

        var missing = await page.GotoAsync(Url($"/console/runs/{Guid.NewGuid()}"));
        Assert.Equal(404, missing!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Run not found" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_overview_follows_a_run_live_and_shows_its_closing_report_once_it_is_completed()
    {
        var accounts = await AccountsAsync();
        var runId = Guid.NewGuid();
        await using (var conn = await host.Db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("""
                insert into invoice_runs (id, period, status, accounts, requested_by, started_at, fanned_out_at)
                values (@runId, @period, 'running', @n, 'ops', now(), now())
                """, new { runId, period = ConsoleHost.SeedPeriod, n = accounts.Count });
            await InvoiceAsync(conn, runId, ConsoleHost.SeedPeriod, accounts[0], 1, 0);
            await InvoiceAsync(conn, runId, ConsoleHost.SeedPeriod, accounts[1], 2, 1);
        }

        var page = await SignedInAsync(ConsoleHost.OperatorKey);
        var current = page.GetByRole(AriaRole.Region, new() { Name = $"Current run: {ConsoleHost.SeedPeriod}" });
        await Expect(current).ToBeVisibleAsync();
        await Expect(current.GetByText("Running").First).ToBeVisibleAsync();
        var generated = current.GetByRole(AriaRole.Row).Filter(new() { HasText = "Generated" });
        await Expect(generated).ToContainTextAsync($"2 of {accounts.Count}");
        await page.EvaluateAsync("() => { window.notReloaded = true; }");

        // The rest of the invoices arrive and the run completes: the page follows without being reloaded.
        await using (var conn = await host.Db.DataSource.OpenConnectionAsync())
        {
            for (var i = 2; i < accounts.Count; i++) await InvoiceAsync(conn, runId, ConsoleHost.SeedPeriod, accounts[i], i + 1, i);
            await Expect(generated).ToContainTextAsync($"{accounts.Count} of {accounts.Count}", new() { Timeout = 10_000 });
            await conn.ExecuteAsync("update invoice_runs set status = 'completed', completed_at = now() where id = @runId", new { runId });
        }
        var last = page.GetByRole(AriaRole.Region, new() { Name = $"Last finished run: {ConsoleHost.SeedPeriod}" });
        await Expect(last).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Expect(last.GetByText("Completed").First).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));

        // Totals in each currency's own minor units, and the closing report ready to copy.
        var totals = last.GetByRole(AriaRole.Table, new() { Name = "Totals per currency" });
        await Expect(totals).ToContainTextAsync("EUR 14,002.22");
        await Expect(totals).ToContainTextAsync("JPY 5,174");
        var report = last.Locator("pre");
        await Expect(report).ToContainTextAsync($"Billing run {ConsoleHost.SeedPeriod}: completed");
        await Expect(report).ToContainTextAsync($"Accounts   {accounts.Count}: {accounts.Count} invoiced, 0 skipped, 0 failed");
        await Expect(report).ToContainTextAsync("EUR 14,002.22");
        await Expect(report).ToContainTextAsync("JPY 5,174");
        await Expect(report).ToContainTextAsync("USD 98.00");
        await Expect(last.GetByRole(AriaRole.Button, new() { Name = "Copy report" })).ToBeVisibleAsync();

        // The next month's run starts and is under way: the screenshot of the README shows both.
        var next = Guid.NewGuid();
        await using (var conn = await host.Db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("""
                insert into invoice_runs (id, period, status, accounts, requested_by, started_at, fanned_out_at)
                values (@next, '2026-11', 'running', @n, 'ops', now(), now())
                """, new { next, n = accounts.Count });
            for (var i = 0; i < 4; i++) await InvoiceAsync(conn, next, "2026-11", accounts[i], 100 + i, i, emailed: i < 2);
            await conn.ExecuteAsync("""
                insert into stage_failures (run_id, account_id, stage, message_type, reason)
                values (@next, @account, 'generate', 'GenerateInvoice', 'plan missing')
                """, new { next, account = accounts[5].Id });
        }
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Current run: 2026-11" })).ToBeVisibleAsync(new() { Timeout = 10_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
        await Browser.ScreenshotAsync(page, Path.Combine(RepoPaths.Root, "docs", "images", "console-overview.png"), fullPage: true);
    }

    [Fact]
    public async Task Pages_read_without_javascript_and_every_control_has_a_label()
    {
        await using var context = await host.Browser.Chromium.NewContextAsync(new() { JavaScriptEnabled = false, Locale = "en-US" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/console/keys"));
        await page.GetByLabel("API key").FillAsync(ConsoleHost.OperatorKey);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(Url("/console/keys"));

        var account = (await AccountsAsync())[0].Id;
        foreach (var path in new[] { "/console", "/console/runs", "/console/keys", "/console/invoices", "/console/accounts", $"/console/accounts/{account}",
                     "/console/dead-letters", "/console/errors", "/console/reconcile" })
        {
            await page.GotoAsync(Url(path));
            await Expect(page.GetByRole(AriaRole.Main)).ToBeVisibleAsync();
            // Without the script the overview says that it reloads itself (in a noscript element, which Chromium
            // leaves unrendered when only script execution is off) and promises no live figures or copy buttons.
            if (path == "/console")
            {
                Assert.Equal("JavaScript is off: the page reloads itself every 30 seconds.", await page.Locator("main noscript").TextContentAsync());
                Assert.Equal("30", await page.Locator("head noscript").EvaluateAsync<string>("n => /content=\"(\\d+)\"/.exec(n.innerHTML)[1]"));
                await Expect(page.GetByText("They update every 2 seconds.")).ToBeHiddenAsync();
                await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy report" })).ToHaveCountAsync(0);
            }
            var unlabelled = await ConsoleHost.UnlabelledControlsAsync(page);
            Assert.True(unlabelled.Length == 0, $"{path}: {string.Join(", ", unlabelled)}");
        }

        // The keyboard reaches the skip link first, and the skip link leads to the page's content.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("main", await page.EvaluateAsync<string>("() => document.activeElement.id"));
    }

    [Fact]
    public async Task A_session_and_a_form_token_of_one_replica_are_read_by_another_of_the_same_database()
    {
        await using var replica = await host.StartApiAsync();
        // Cookies are per host, not per port: the browser sends the first replica's cookies to the second.
        var page = await SignedInAsync(ConsoleHost.OperatorKey, "/console/runs");
        await page.GotoAsync(replica.BaseUrl + "/console/runs");
        await Expect(page).ToHaveURLAsync(replica.BaseUrl + "/console/runs");
        await Expect(page.GetByText("Signed in as ops (operator)")).ToBeVisibleAsync();

        // The second replica's form, checked against the antiforgery cookie the first one set.
        await page.GetByLabel("Period (year and month, yyyy-MM)").FillAsync("1999-99");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Period: '1999-99' is not a period");

        // The key ring is one row in the database, whichever replica wrote it.
        Assert.Equal(1, await CountAsync("select count(*) from data_protection_keys"));
    }

    private async Task<List<(Guid Id, string Currency)>> AccountsAsync()
    {
        await using var conn = await host.Db.DataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<(Guid, string)>("select id, currency from accounts order by name")).ToList();
    }

    /// <summary>An issued invoice, rendered, emailed (unless said otherwise) and synced. EUR invoices total 7,001.11 each,
    /// JPY 2,587 and USD 49.00, so that two of each make EUR 14,002.22, JPY 5,174 and USD 98.00.</summary>
    private static Task InvoiceAsync(NpgsqlConnection conn, Guid runId, string period, (Guid Id, string Currency) account, int number, int second,
        bool emailed = true) =>
        conn.ExecuteAsync("""
            insert into run_accounts (run_id, account_id, state) values (@runId, @account, 'generated');
            insert into invoices (id, run_id, account_id, period, issuer, number, currency, subtotal_minor, tax_rate, tax_minor, total_minor,
                due_at, created_at, pdf_key, pdf_rendered_at, email_status, emailed_at, synced_at)
            values (@id, @runId, @account, @period, 'default', @number, @currency, @total, 0, 0, @total,
                date '2026-12-31', now() - interval '1 minute' + @second * interval '1 second', 'invoices/x.pdf', now(),
                @emailStatus, case when @emailed then now() end, now())
            """, new
        {
            id = Guid.NewGuid(), runId, account = account.Id, period, number = $"INV-{period}-{number:D4}", currency = account.Currency,
            total = account.Currency switch { "EUR" => 700_111L, "JPY" => 2_587L, _ => 4_900L },
            second, emailed, emailStatus = emailed ? "sent" : "pending",
        });
}
