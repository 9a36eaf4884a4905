using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Errors;
using Billing.Testing;

namespace Billing.Errors.Infrastructure.Tests;

public sealed class When_operators_handle_errors_through_the_api_and_the_cli : IAsyncLifetime
{
    private TestDatabase db = null!;
    private TestVhost vhost = null!;
    private ServiceProcess api = null!;
    private PostgresErrorStore store = null!;
    private const string TraceUi = "http://ui.test:18888/traces/detail/{trace_id}";

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync("errapi");
        vhost = await TestVhost.CreateAsync("errapi");
        store = new PostgresErrorStore(db.DataSource);
        api = AdminApiProcess.Start(db, vhost, Keys.Setting, new Dictionary<string, string?> { ["BILLING_TRACE_UI_URL"] = TraceUi });
        await api.WaitHealthyAsync();
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        await vhost.DisposeAsync();
        await db.DisposeAsync();
    }

    private HttpClient Client(string key = Keys.Operator)
    {
        var http = new HttpClient { BaseAddress = new Uri(api.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private CliRunner Cli(string key) => new(api.BaseUrl, key) { Columns = 200 };

    private async Task<long> PlantAsync(string message, DateTimeOffset? at = null, Guid? run = null)
    {
        var report = new ErrorReport("mailer", "EmailFailed", "smtp_550", message, "at Send()", InvoiceId: Guid.NewGuid(), RunId: run);
        return (await store.RecordAsync(report, Fingerprint.For(report), at ?? DateTimeOffset.UtcNow)).Record.Id;
    }

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    [Fact]
    public async Task Does_move_an_error_through_its_states_with_notes_and_an_issue_link()
    {
        var run = Guid.NewGuid();
        var id = await PlantAsync("mailbox unavailable", run: run);
        using var http = Client();

        foreach (var status in new[] { "needs_attention", "in_progress" })
            Assert.Equal(HttpStatusCode.OK, (await http.PatchAsJsonAsync($"/api/errors/{id}", new { status })).StatusCode);
        var resolved = await http.PatchAsJsonAsync($"/api/errors/{id}",
            new { status = "resolved", notes = "customer fixed their MX record", issue_link = "https://tracker.example/BILL-42" });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);

        var shown = await JsonOf(await http.GetAsync($"/api/errors/{id}"));
        Assert.Equal("resolved", shown.GetProperty("status").GetString());
        Assert.Equal("customer fixed their MX record", shown.GetProperty("notes").GetString());
        Assert.Equal("https://tracker.example/BILL-42", shown.GetProperty("issue_link").GetString());
        Assert.Equal(JsonValueKind.String, shown.GetProperty("resolved_at").ValueKind);
        Assert.Equal(0, shown.GetProperty("allowed_next").GetArrayLength());
        var list = await JsonOf(await http.GetAsync($"/api/errors?status=resolved&run_id={run}&type=EmailFailed&limit=10"));
        Assert.Equal(id, Assert.Single(list.GetProperty("errors").EnumerateArray()).GetProperty("id").GetInt64());
        Assert.Equal(0, (await JsonOf(await http.GetAsync($"/api/errors?status=open&run_id={run}"))).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Does_link_each_error_record_to_its_trace_with_the_one_trace_link_setting()
    {
        const string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        var report = new ErrorReport("mailer", "EmailFailed", "smtp_551", "traced mailbox unavailable", "at Send()", InvoiceId: Guid.NewGuid(), TraceId: trace);
        var traced = (await store.RecordAsync(report, Fingerprint.For(report), DateTimeOffset.UtcNow)).Record.Id;
        var untraced = await PlantAsync("untraced mailbox unavailable");
        using var http = Client();

        var shown = await JsonOf(await http.GetAsync($"/api/errors/{traced}"));
        Assert.Equal(trace, shown.GetProperty("trace_id").GetString());
        Assert.Equal($"http://ui.test:18888/traces/detail/{trace}", shown.GetProperty("trace_url").GetString());
        var listed = (await JsonOf(await http.GetAsync("/api/errors?type=EmailFailed&limit=100"))).GetProperty("errors").EnumerateArray()
            .Single(e => e.GetProperty("id").GetInt64() == traced);
        Assert.Equal($"http://ui.test:18888/traces/detail/{trace}", listed.GetProperty("trace_url").GetString());
        Assert.Equal(JsonValueKind.Null, (await JsonOf(await http.GetAsync($"/api/errors/{untraced}"))).GetProperty("trace_url").ValueKind);
    }

    [Theory]
    [InlineData("""{"status":"closed"}""", "status", "unknown status 'closed'; known: open, needs_attention, in_progress, resolved")]
    [InlineData("""{"status":"in_progress"}""", "status", "cannot move from open to in_progress; allowed: needs_attention, resolved")]
    [InlineData("""{"issue_link":"BILL-42"}""", "issue_link", "issue_link must be an absolute http or https URL, got 'BILL-42'")]
    [InlineData("""{"status":"resolved","issue_link":"ftp://tracker.example/1"}""", "issue_link", "issue_link must be an absolute http or https URL")]
    [InlineData("""{}""", "body", "give at least one of status, notes, issue_link")]
    public async Task Does_refuse_bad_input_with_a_problem_naming_the_field_and_change_nothing(string body, string field, string expected)
    {
        var id = await PlantAsync("bad input target");
        using var http = Client();
        var before = await http.GetStringAsync($"/api/errors/{id}");

        var response = await http.PatchAsync($"/api/errors/{id}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonOf(response);
        Assert.StartsWith(expected, problem.GetProperty("errors").GetProperty(field)[0].GetString());
        Assert.Equal(before, await http.GetStringAsync($"/api/errors/{id}"));
    }

    [Fact]
    public async Task Does_answer_404_for_an_unknown_id_and_403_for_a_viewer_that_writes()
    {
        var id = await PlantAsync("viewer target");
        using var http = Client();
        var missing = await http.PatchAsJsonAsync("/api/errors/987654321", new { status = "resolved" });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/errors/987654321")).StatusCode);

        using var viewer = Client(Keys.Viewer);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/errors/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PatchAsJsonAsync($"/api/errors/{id}", new { status = "resolved" })).StatusCode);
        Assert.Equal("open", (await JsonOf(await http.GetAsync($"/api/errors/{id}"))).GetProperty("status").GetString());
        var badQuery = await http.GetAsync("/api/errors?status=closed&run_id=abc&limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, badQuery.StatusCode);
        var errors = (await JsonOf(badQuery)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("status", out _) && errors.TryGetProperty("run_id", out _) && errors.TryGetProperty("limit", out _));
    }

    [Fact]
    public async Task Does_the_same_through_the_cli()
    {
        var id = await PlantAsync("cli target mailbox full");

        var refused = await Cli(Keys.Operator).RunAsync("errors", "start", id.ToString());
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal($"billing: HTTP 400: One or more validation errors occurred. — Not valid: status — status: cannot move from open to in_progress; allowed: needs_attention, resolved",
            refused.Stderr.Trim());

        Assert.Equal(0, (await Cli(Keys.Operator).RunAsync("errors", "ack", id.ToString())).ExitCode);
        var started = await Cli(Keys.Operator).RunAsync("errors", "start", id.ToString());
        Assert.Equal(0, started.ExitCode);
        Assert.Contains($"error {id}: in_progress", started.Stdout);
        Assert.Equal(0, (await Cli(Keys.Operator).RunAsync("errors", "note", id.ToString(), "asked the customer to free space")).ExitCode);

        var badLink = await Cli(Keys.Operator).RunAsync("errors", "resolve", id.ToString(), "--link", "BILL-7");
        Assert.Equal(1, badLink.ExitCode);
        Assert.Contains("issue_link: issue_link must be an absolute http or https URL", badLink.Stderr);
        Assert.Single(badLink.Stderr.Trim().Split('\n'));

        var resolved = await Cli(Keys.Operator).RunAsync("errors", "resolve", id.ToString(), "--note", "space freed", "--link", "https://tracker.example/BILL-7");
        Assert.Equal(0, resolved.ExitCode);
        Assert.Contains($"error {id}: resolved", resolved.Stdout);

        var row = await store.GetAsync(id);
        Assert.Equal(ErrorStatus.Resolved, row!.Status);
        Assert.Equal("asked the customer to free space\nspace freed", row.Notes);
        Assert.Equal("https://tracker.example/BILL-7", row.IssueLink);

        var list = await Cli(Keys.Viewer).RunAsync("errors", "list", "--status", "resolved", "--type", "EmailFailed");
        Assert.Equal(0, list.ExitCode);
        // Output redirected: whole rows, no box drawing, no colour codes.
        Assert.Matches($@"(?m)^{id}\s+resolved\s+mailer\s+", list.Stdout);
        Assert.DoesNotContain("│", list.Stdout);
        Assert.DoesNotContain("\u001b[", list.Stdout);
        Assert.Contains("showing 1 of 1 errors", list.Stdout);
        var show = await Cli(Keys.Viewer).RunAsync("errors", "show", id.ToString());
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("https://tracker.example/BILL-7", show.Stdout);
        Assert.Contains("at Send()", show.Stdout);

        var viewerWrites = await Cli(Keys.Viewer).RunAsync("errors", "note", id.ToString(), "x");
        Assert.NotEqual(0, viewerWrites.ExitCode);
        var noKind = await Cli(Keys.Viewer).RunAsync("errors", "summary");
        Assert.NotEqual(0, noKind.ExitCode);
        Assert.Contains("give exactly one of --daily or --weekly", noKind.Stderr + noKind.Stdout);
    }

    private async Task<List<long>> PlantGroupsAsync(string service, int count)
    {
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var report = new ErrorReport(service, $"Cause{i}Exception", "invoice-pdf-rendered",
                $"relay refused message for invoice {Guid.NewGuid()} — a long explanation that a terminal table would cut at eighty columns {i}",
                InvoiceId: Guid.NewGuid(), MessageType: "InvoicePdfRendered");
            ids.Add((await store.RecordAsync(report, Fingerprint.For(report), DateTimeOffset.UtcNow.AddSeconds(i))).Record.Id);
        }
        return ids;
    }

    [Fact]
    public async Task Does_change_every_group_of_a_filter_at_once_through_the_api_or_refuse_all_of_it()
    {
        var ids = await PlantGroupsAsync("bulk-api-mailer", 4);
        using var http = Client();
        var acked = await http.PatchAsJsonAsync($"/api/errors/{ids[3]}", new { status = "needs_attention" });
        Assert.Equal(HttpStatusCode.OK, acked.StatusCode);
        var before = await http.GetStringAsync("/api/errors?service=bulk-api-mailer");

        var refused = await http.PostAsJsonAsync("/api/errors/bulk", new { filter = new { service = "bulk-api-mailer" }, status = "resolved", note = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await JsonOf(refused);
        Assert.Equal($"1 error ({ids[3]}) is needs_attention: cannot move from needs_attention to resolved; allowed: in_progress",
            problem.GetProperty("errors").GetProperty("status:needs_attention")[0].GetString());
        foreach (var (body, field) in new (object, string)[]
                 {
                     (new { status = "resolved" }, "filter"),
                     (new { filter = new { service = "bulk-api-mailer" } }, "change"),
                     (new { filter = new { run_id = "abc" }, status = "resolved" }, "filter.run_id"),
                     (new { filter = new { status = "closed" }, status = "resolved" }, "filter.status"),
                     (new { filter = new { ids = new[] { 987654321L } }, status = "resolved" }, "ids"),
                 })
        {
            var bad = await http.PostAsJsonAsync("/api/errors/bulk", body);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.True((await JsonOf(bad)).GetProperty("errors").TryGetProperty(field, out _), field);
        }
        using var viewer = Client(Keys.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/errors/bulk",
            new { filter = new { service = "bulk-api-mailer" }, status = "resolved" })).StatusCode);
        Assert.Equal(before, await http.GetStringAsync("/api/errors?service=bulk-api-mailer"));

        var applied = await http.PostAsJsonAsync("/api/errors/bulk",
            new { filter = new { service = "bulk-api-mailer", status = "open" }, status = "resolved", note = "relay fixed", issue_link = "https://tracker.example/BILL-9" });
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        var result = await JsonOf(applied);
        Assert.Equal(3, result.GetProperty("matched").GetInt32());
        Assert.Equal(ids.Take(3), result.GetProperty("changed").EnumerateArray().Select(e => e.GetInt64()).Order());
        var listed = await JsonOf(await http.GetAsync("/api/errors?service=bulk-api-mailer&status=resolved"));
        Assert.Equal(3, listed.GetProperty("total").GetInt32());
        var shown = await JsonOf(await http.GetAsync($"/api/errors/{ids[0]}"));
        Assert.Equal("relay fixed", shown.GetProperty("notes").GetString());
        Assert.Equal("https://tracker.example/BILL-9", shown.GetProperty("issue_link").GetString());
        Assert.Equal(1, shown.GetProperty("affected_counts").GetProperty("invoices").GetInt32());
        Assert.Equal(1, shown.GetProperty("affected").GetProperty("invoices").GetProperty("total").GetInt32());
        Assert.Equal("needs_attention", (await JsonOf(await http.GetAsync($"/api/errors/{ids[3]}"))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Does_resolve_by_filter_and_page_long_lists_through_the_cli()
    {
        var ids = await PlantGroupsAsync("bulk-cli-mailer", 7);

        var page = await Cli(Keys.Viewer).RunAsync("errors", "list", "--service", "bulk-cli-mailer", "--limit", "3");
        Assert.Equal(0, page.ExitCode);
        Assert.Contains("showing 3 of 7 errors — next: billing errors list --service bulk-cli-mailer --limit 3 --offset 3", page.Stdout);
        // Whole rows: the message is not cut however long the line.
        Assert.Contains("a terminal table would cut at eighty columns 6", page.Stdout);
        var last = await Cli(Keys.Viewer).RunAsync("errors", "list", "--service", "bulk-cli-mailer", "--limit", "3", "--offset", "6");
        Assert.Contains("showing 7–7 of 7 errors", last.Stdout);
        Assert.DoesNotContain("next:", last.Stdout);
        Assert.Matches($@"(?m)^{ids[0]}\s+open\s+bulk-cli-mailer\s+InvoicePdfRendered\s+Cause0Exception\s+1\s+1\s+0\s+0\s", last.Stdout);

        var noFilter = await Cli(Keys.Operator).RunAsync("errors", "resolve", "--note", "x");
        Assert.Equal(2, noFilter.ExitCode);
        Assert.Contains("give error ids or a filter", noFilter.Stderr);
        var badStatus = await Cli(Keys.Operator).RunAsync("errors", "resolve", "--service", "bulk-cli-mailer", "--status", "closed");
        Assert.Equal(1, badStatus.ExitCode);
        Assert.Contains("filter.status: unknown status 'closed'", badStatus.Stderr);
        Assert.Equal(7, (await store.ListAsync(new ErrorQuery(Service: "bulk-cli-mailer", Status: ErrorStatus.Open))).Count);

        var noted = await Cli(Keys.Operator).RunAsync("errors", "note", "--service", "bulk-cli-mailer", "--text", "relay ticket 4711");
        Assert.Equal(0, noted.ExitCode);
        Assert.StartsWith("note added to 7 errors", noted.Stdout);
        var resolved = await Cli(Keys.Operator).RunAsync("errors", "resolve", "--service", "bulk-cli-mailer", "--status", "open",
            "--note", "relay fixed; redriven");
        Assert.Equal(0, resolved.ExitCode);
        Assert.StartsWith("7 of 7 errors → resolved", resolved.Stdout);
        foreach (var id in ids)
        {
            var row = await store.GetAsync(id);
            Assert.Equal(ErrorStatus.Resolved, row!.Status);
            Assert.Equal("relay ticket 4711\nrelay fixed; redriven", row.Notes);
        }
        var again = await Cli(Keys.Operator).RunAsync("errors", "resolve", ids[0].ToString(), ids[1].ToString());
        Assert.StartsWith("0 of 2 errors → resolved (2 already resolved)", again.Stdout);

        var affected = await Cli(Keys.Viewer).RunAsync("errors", "affected", ids[0].ToString(), "--kind", "invoice");
        Assert.Equal(0, affected.ExitCode);
        Assert.Contains("showing 1 of 1 invoices", affected.Stdout);
        var badKind = await Cli(Keys.Viewer).RunAsync("errors", "affected", ids[0].ToString(), "--kind", "customer");
        Assert.NotEqual(0, badKind.ExitCode);
    }

    [Fact]
    public async Task Does_summarise_exactly_the_planted_errors_for_a_fixed_clock()
    {
        var t0 = new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);
        var a = await PlantAsync("planted-A new today", t0.AddHours(-2));
        var b = await PlantAsync("planted-B three days old", t0.AddDays(-3));
        await store.UpdateAsync(b, new ErrorUpdate("needs_attention"), t0.AddDays(-2));
        var c = await PlantAsync("planted-C resolved yesterday", t0.AddDays(-3));
        await store.UpdateAsync(c, new ErrorUpdate("resolved"), t0.AddDays(-1));
        var d = await PlantAsync("planted-D resolved long ago", t0.AddDays(-10));
        await store.UpdateAsync(d, new ErrorUpdate("resolved"), t0.AddDays(-9));
        await PlantAsync("planted-E twenty days open", t0.AddDays(-20));
        await PlantAsync("planted-F after the summary", t0.AddHours(1));
        await PlantAsync("planted-G exactly at the daily start", t0.AddDays(-1));
        using var http = Client(Keys.Viewer);

        var dailyResponse = await http.GetAsync("/api/errors/summary?kind=daily&at=2026-11-02T08:00:00Z");
        Assert.Equal("text/markdown", dailyResponse.Content.Headers.ContentType?.MediaType);
        var daily = await dailyResponse.Content.ReadAsStringAsync();
        var weekly = (await Cli(Keys.Viewer).RunAsync("errors", "summary", "--weekly", "--at", "2026-11-02T08:00:00Z")).Stdout;

        Assert.StartsWith("## Error log — daily summary to 2026-11-02 08:00 UTC", daily);
        Assert.Contains("**1 new** in the last 24 h, **3 older still unresolved** (2 open, 1 needs_attention, 0 in_progress).", daily);
        Assert.Equal(["A", "B", "E", "G"], Planted(daily));
        Assert.Contains($"| {a} | open |", daily);
        Assert.Contains($"| {b} | needs_attention |", daily);

        Assert.StartsWith("## Error log — weekly summary to 2026-11-02 08:00 UTC", weekly);
        Assert.Contains("**4 new**, **1 resolved**, **4 still unresolved**", weekly);
        Assert.Equal(["A", "B", "C", "E", "G"], Planted(weekly));
        Assert.Contains($"| {c} | resolved |", weekly);
    }

    private static List<string> Planted(string markdown) =>
        System.Text.RegularExpressions.Regex.Matches(markdown, "planted-([A-Z])").Select(m => m.Groups[1].Value).Distinct().Order().ToList();
}
