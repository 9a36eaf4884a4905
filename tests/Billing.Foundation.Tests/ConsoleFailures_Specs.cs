using System.Net;
using System.Text.RegularExpressions;
using Billing.Testing;
using Dapper;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Billing.Foundation.Tests;

/// <summary>
/// How the console fails: a page that breaks is a console page naming a trace id (the API keeps its problem JSON),
/// a bad value in an address is named, and the sign-in form pauses an address that keeps sending wrong keys. Each on an
/// admin-api of its own database, since these tests break its tables and lock its sign-in.
/// </summary>
public sealed class When_the_console_fails_or_is_attacked : IAsyncLifetime
{
    private const string Key = "bk_console_failures_0123456789abcdef";
    private TestDatabase db = null!;
    private TestVhost vhost = null!;
    private ServiceProcess api = null!;
    private Browser browser = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("consolefail");
        vhost = await TestVhost.CreateAsync("consolefail");
        api = AdminApiProcess.Start(db, vhost, ApiKeys.Setting(Key), [
            new("Console__SignInFailuresAllowed", "3"),
            new("Console__SignInLockoutMinutes", "2"),
        ]);
        await api.WaitHealthyAsync();
        browser = await Browser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        await api.DisposeAsync();
        await vhost.DisposeAsync();
        await db.DisposeAsync();
    }

    private string Url(string path) => api.BaseUrl + path;

    private async Task<IResponse?> SignInAsync(IPage page, string key)
    {
        await page.GotoAsync(Url("/console/sign-in"));
        await page.GetByLabel("API key").FillAsync(key);
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(),
            r => r.Url.Contains("/console/sign-in", StringComparison.Ordinal) && r.Request.Method == "POST");
        return response;
    }

    [Fact]
    public async Task A_broken_page_is_a_console_page_with_a_trace_id_and_no_detail_and_a_bad_address_value_is_named()
    {
        var page = await browser.NewPageAsync();
        Assert.Equal(303, (await SignInAsync(page, Key))!.Status);
        await Expect(page).ToHaveURLAsync(Url("/console"));

        await using (var conn = await db.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("alter table invoices rename to invoices_away");
        try
        {
            var broken = await page.GotoAsync(Url("/console/invoices"));
            Assert.Equal(500, broken!.Status);
            Assert.StartsWith("text/html", broken.Headers["content-type"]);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Something went wrong" })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(new Regex("logged with trace id [0-9a-f]{32}"));
            var html = await page.ContentAsync();
            Assert.DoesNotContain("invoices_away", html);
            Assert.DoesNotContain("relation", html);
            Assert.DoesNotContain(" at Billing.", html);
            // Still signed in, with the navigation there to go elsewhere.
            await Expect(page.GetByText("Signed in as ops")).ToBeVisibleAsync();

            // The API's own answer stays problem JSON.
            using var http = new HttpClient { BaseAddress = new Uri(api.BaseUrl) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", Key);
            var apiAnswer = await http.GetAsync($"/api/invoices/{Guid.NewGuid()}");
            Assert.Equal(HttpStatusCode.InternalServerError, apiAnswer.StatusCode);
            Assert.Equal("application/problem+json", apiAnswer.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            await using var conn = await db.DataSource.OpenConnectionAsync();
            await conn.ExecuteAsync("alter table invoices_away rename to invoices");
        }

        var bad = await page.GotoAsync(Url($"/console/runs/{Guid.NewGuid()}?retried=lots"));
        Assert.Equal(400, bad!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Bad address" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("retried");
    }

    [Fact]
    public async Task Sign_in_pauses_after_the_allowed_wrong_keys_even_for_a_good_key_and_says_for_how_long()
    {
        var page = await browser.NewPageAsync();
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(401, (await SignInAsync(page, $"bk_wrong_{i}"))!.Status);
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("this key is not known or has been revoked");
        }
        var paused = await SignInAsync(page, Key);
        Assert.Equal(429, paused!.Status);
        var retryAfter = int.Parse(paused.Headers["retry-after"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 120);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("too many wrong keys were sent from this address");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("try again in 2 minutes");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "billing_console");

        // The API's bearer keys are not paused by the console's form.
        using var http = new HttpClient { BaseAddress = new Uri(api.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Key);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/runs")).StatusCode);
    }

    [Theory]
    [InlineData("Console__SignInFailuresAllowed", "0")]
    [InlineData("Console__SignInLockoutMinutes", "-1")]
    public async Task A_bad_sign_in_limit_stops_admin_api_at_start_naming_the_setting(string setting, string value)
    {
        await using var refused = AdminApiProcess.Start(db, vhost, ApiKeys.Setting(Key), [new(setting, value)]);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => refused.WaitHealthyAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(setting.Split("__")[1], error.Message);
    }
}
