using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Billing.Mailer.Tests.Infrastructure;
using Billing.Testing;

namespace Billing.Mailer.Tests;

public sealed class When_operators_manage_invoice_email_through_the_api_and_cli : IAsyncLifetime
{
    private const string OperatorKey = "bk_operator_mail_4f1c2d9e8a7b6c5d4e3f";
    private const string ViewerKey = "bk_viewer_mail_0a9b8c7d6e5f4a3b2c1d";
    private MailerHarness h = null!;
    private ServiceProcess api = null!;

    public async Task InitializeAsync()
    {
        h = await MailerHarness.StartAsync("mailapi");
        api = AdminApiProcess.Start(h.Db, h.Vhost, ApiKeys.Setting(OperatorKey, ViewerKey));
        await api.WaitHealthyAsync();
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        await h.DisposeAsync();
    }

    private HttpClient Client(string key = OperatorKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(api.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null) Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
    }

    [Fact]
    public async Task Does_add_list_and_remove_suppressions_and_refuse_bad_input()
    {
        using var ops = Client();
        var created = await ops.PostAsJsonAsync("/api/suppressions", new { email = "Someone@Example.org", reason = "unsubscribed", note = "asked by phone" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var again = await ops.PostAsJsonAsync("/api/suppressions", new { email = "someone@example.org", reason = "manual" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        var list = await ops.GetFromJsonAsync<JsonElement>("/api/suppressions");
        var row = Assert.Single(list.GetProperty("suppressions").EnumerateArray());
        Assert.Equal(("someone@example.org", "manual"), (row.GetProperty("email").GetString(), row.GetProperty("reason").GetString()));

        await AssertProblemAsync(await ops.PostAsJsonAsync("/api/suppressions", new { email = "nope", reason = "manual" }), HttpStatusCode.BadRequest, "email");
        await AssertProblemAsync(await ops.PostAsJsonAsync("/api/suppressions", new { email = "a@example.org", reason = "spam" }), HttpStatusCode.BadRequest, "reason");
        await AssertProblemAsync(await ops.PostAsJsonAsync("/api/suppressions", new { email = 42, reason = "manual" }), HttpStatusCode.BadRequest, "email");
        await AssertProblemAsync(await ops.PostAsync("/api/suppressions", new StringContent("[1]", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "body");
        await AssertProblemAsync(await ops.GetAsync("/api/suppressions?limit=0"), HttpStatusCode.BadRequest, "limit");
        await AssertProblemAsync(await ops.GetAsync("/api/suppressions?offset=-1"), HttpStatusCode.BadRequest, "offset");
        await AssertProblemAsync(await ops.GetAsync("/api/suppressions?offset=many"), HttpStatusCode.BadRequest, "offset");
        using var viewer = Client(ViewerKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/suppressions", new { email = "b@example.org", reason = "manual" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/suppressions")).StatusCode);
        var listed = (await ops.GetFromJsonAsync<JsonElement>("/api/suppressions")).GetProperty("count").GetInt32();
        Assert.Equal(1, listed);

        Assert.Equal(HttpStatusCode.NoContent, (await ops.DeleteAsync("/api/suppressions/SOMEONE%40example.org")).StatusCode);
        await AssertProblemAsync(await ops.DeleteAsync("/api/suppressions/someone%40example.org"), HttpStatusCode.NotFound);
        Assert.Equal(0, (await ops.GetFromJsonAsync<JsonElement>("/api/suppressions")).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Does_resend_to_the_billing_email_changed_since_and_list_the_change_in_the_history()
    {
        var invoice = await h.InvoiceAsync();
        await h.PublishRenderedAsync(invoice);
        await Wait.For(() => h.MessagesTo(invoice.Email).Count, n => n == 1, h);

        using var ops = Client();
        var changed = await ops.PatchAsJsonAsync($"/api/accounts/{invoice.AccountId}", new { billing_email = "new-ap@example.org" });
        Assert.True(changed.IsSuccessStatusCode, await changed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Accepted, (await ops.PostAsJsonAsync("/admin/resend-invoice", new { invoice_id = invoice.InvoiceId })).StatusCode);

        await Wait.For(() => h.MessagesTo("new-ap@example.org").Count, n => n == 1, h);
        Assert.Single(h.MessagesTo(invoice.Email));
        using var viewer = Client(ViewerKey);
        var history = await viewer.GetFromJsonAsync<JsonElement>($"/api/accounts/{invoice.AccountId}/history");
        var entry = Assert.Single(history.GetProperty("items").EnumerateArray());
        Assert.Equal(("ops", "billing_email", invoice.Email, "new-ap@example.org"),
            (entry.GetProperty("changed_by").GetString(), entry.GetProperty("field").GetString(), entry.GetProperty("old_value").GetString(), entry.GetProperty("new_value").GetString()));
    }

    [Fact]
    public async Task Does_resend_an_invoice_once_per_request_and_list_its_deliveries()
    {
        var invoice = await h.InvoiceAsync();
        await h.PublishRenderedAsync(invoice);
        await Wait.For(() => h.MessagesTo(invoice.Email).Count, n => n == 1, h);

        using var ops = Client();
        await AssertProblemAsync(await ops.PostAsJsonAsync("/admin/resend-invoice", new { }), HttpStatusCode.BadRequest, "invoice_id");
        await AssertProblemAsync(await ops.PostAsJsonAsync("/admin/resend-invoice", new { invoice_id = "abc" }), HttpStatusCode.BadRequest, "invoice_id");
        await AssertProblemAsync(await ops.PostAsJsonAsync("/admin/resend-invoice", new { invoice_id = Guid.NewGuid() }), HttpStatusCode.NotFound);
        using var viewer = Client(ViewerKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/admin/resend-invoice", new { invoice_id = invoice.InvoiceId })).StatusCode);

        var requestId = Guid.NewGuid();
        for (var i = 0; i < 2; i++) // a client retrying its POST with the same request id
        {
            var accepted = await ops.PostAsJsonAsync("/admin/resend-invoice", new { invoice_id = invoice.InvoiceId, request_id = requestId });
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            Assert.Equal(requestId, (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetGuid());
        }
        await Wait.For(() => h.Recorder.Emailed.Count(e => e.InvoiceId == invoice.InvoiceId && e.Reason == "resend"), n => n == 2, h);
        Assert.Equal(2, h.MessagesTo(invoice.Email).Count);

        var deliveries = await viewer.GetFromJsonAsync<JsonElement>($"/api/invoices/{invoice.InvoiceId}/deliveries");
        Assert.Equal("sent", deliveries.GetProperty("email_status").GetString());
        var rows = deliveries.GetProperty("deliveries").EnumerateArray().ToList();
        Assert.Equal(["initial", "resend"], rows.Select(r => r.GetProperty("reason").GetString()!).ToArray());
        Assert.All(rows, r => Assert.Equal("accepted", r.GetProperty("state").GetString()));
        Assert.Equal("ops", rows[1].GetProperty("requested_by").GetString());
        await AssertProblemAsync(await viewer.GetAsync($"/api/invoices/{Guid.NewGuid()}/deliveries"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await viewer.GetAsync("/api/invoices/not-a-uuid/deliveries"), HttpStatusCode.BadRequest, "id");
    }

    [Fact]
    public async Task Does_drive_suppressions_and_resends_from_the_cli()
    {
        var add = await CliAsync("suppressions", "add", "Cli@Example.org", "--reason", "hard_bounce", "--note", "bounced twice");
        Assert.True(add.ExitCode == 0, add.Output);
        Assert.Contains("suppressed cli@example.org (hard_bounce)", add.Output);
        var list = await CliAsync("suppressions", "list");
        Assert.True(list.ExitCode == 0, list.Output);
        Assert.Contains("cli@example.org", list.Output);
        // A page at a time, in address order, with the command for the next page.
        foreach (var extra in new[] { "cli-b@example.org", "cli-c@example.org" })
            Assert.Equal(0, (await CliAsync("suppressions", "add", extra)).ExitCode);
        using var viewer = Client();
        var total = (await (await viewer.GetAsync("/api/suppressions")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("total").GetInt32();
        Assert.True(total >= 3, $"total {total}");
        var first = await CliAsync("suppressions", "list", "--limit", "2");
        Assert.Contains($"showing 2 of {total:N0} addresses — next: billing suppressions list --limit 2 --offset 2", first.Output);
        var last = await CliAsync("suppressions", "list", "--limit", "2", "--offset", (total - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains($"showing {total:N0}–{total:N0} of {total:N0} addresses", last.Output);
        Assert.DoesNotContain("next:", last.Output);
        foreach (var extra in new[] { "cli-b@example.org", "cli-c@example.org" })
            Assert.Equal(0, (await CliAsync("suppressions", "remove", extra)).ExitCode);
        var bad = await CliAsync("suppressions", "add", "not-an-address");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("billing: HTTP 400", bad.Output);
        Assert.Contains("email:", bad.Output);
        var remove = await CliAsync("suppressions", "remove", "cli@example.org");
        Assert.True(remove.ExitCode == 0, remove.Output);
        var removeAgain = await CliAsync("suppressions", "remove", "cli@example.org");
        Assert.Equal(1, removeAgain.ExitCode);
        Assert.Contains("HTTP 404", removeAgain.Output);

        var invoice = await h.InvoiceAsync();
        await h.PublishRenderedAsync(invoice);
        await Wait.For(() => h.MessagesTo(invoice.Email).Count, n => n == 1, h);
        var resend = await CliAsync("invoice", "resend", invoice.InvoiceId.ToString());
        Assert.True(resend.ExitCode == 0, resend.Output);
        await Wait.For(() => h.MessagesTo(invoice.Email).Count, n => n == 2, h);
        var deliveries = await CliAsync("invoice", "deliveries", invoice.InvoiceId.ToString());
        Assert.True(deliveries.ExitCode == 0, deliveries.Output);
        Assert.Contains("resend", deliveries.Output);
        var notAnId = await CliAsync("invoice", "resend", "12345");
        Assert.NotEqual(0, notAnId.ExitCode);
        Assert.Contains("invoice-id must be a UUID", notAnId.Output);
    }

    private Task<CliResult> CliAsync(params string[] args) => new CliRunner(api.BaseUrl, OperatorKey) { Columns = 200 }.RunAsync(args);
}
