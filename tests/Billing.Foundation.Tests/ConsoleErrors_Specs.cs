using System.Text.Json;
using Billing.Errors;
using Billing.Errors.Infrastructure;
using Dapper;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Billing.Foundation.Tests;

/// <summary>
/// The console's error log (<c>/console/errors</c>) and reconciliation (<c>/console/reconcile</c>) in Chromium, on the
/// error groups and ledger rows the libraries write: filters in the URL, the triage of a group through every state
/// with notes and issue links, refusals that name the field and write nothing, the summaries, and what a viewer may do.
/// </summary>
public sealed class When_operators_work_the_error_log_in_the_console(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private readonly PostgresErrorStore store = new(host.Db.DataSource);

    private async Task<ErrorRecord> PlantAsync(string service, string type, string message, DateTimeOffset at, Guid? invoice = null,
        Guid? account = null, Guid? run = null, string? trace = null, string? payload = null, string? backtrace = null)
    {
        var report = new ErrorReport(service, type, "probe", message, backtrace, invoice, account, run, trace,
            Payload: payload is null ? null : JsonDocument.Parse(payload).RootElement.Clone());
        return (await store.RecordAsync(report, Fingerprint.For(report), at)).Record;
    }

    private static DateTimeOffset Day(int month, int day, int hour = 10) => new(2026, month, day, hour, 0, 0, TimeSpan.Zero);

    /// <summary>What an operator's change writes: status, notes, link and when it changed.</summary>
    private async Task<string> RowAsync(long id)
    {
        await using var conn = await host.Db.DataSource.OpenConnectionAsync();
        return await conn.QuerySingleAsync<string>(
            "select concat_ws(' | ', status, notes, issue_link, updated_at::text, resolved_at::text) from error_monitorings where id = @id", new { id });
    }

    private static async Task<IReadOnlyList<string>> ListedAsync(IPage page) =>
        await page.GetByRole(AriaRole.Table, new() { Name = "Error groups" }).Locator("tbody th").AllInnerTextsAsync();

    private static string Ids(params ErrorRecord[] records) => string.Join(",", records.Select(r => $"#{r.Id}"));

    [Fact]
    public async Task The_overview_counts_the_error_groups_not_resolved_and_follows_a_new_one_live()
    {
        async Task<int> OpenAsync()
        {
            await using var conn = await host.Db.DataSource.OpenConnectionAsync();
            return await conn.ExecuteScalarAsync<int>("select count(*)::int from error_monitorings where status <> 'resolved'");
        }
        await PlantAsync("overview-svc", "OverviewCounted", "counted on the overview", DateTimeOffset.UtcNow);
        var open = await OpenAsync();
        var page = await host.SignedInAsync(ConsoleHost.ViewerKey);
        var errors = page.GetByRole(AriaRole.Region, new() { Name = "Revenue errors" });
        await Expect(errors).ToContainTextAsync($"⚠ {open} error group{(open == 1 ? "" : "s")} not resolved.");
        await Expect(errors.GetByRole(AriaRole.Link, new() { Name = "Open the error log" })).ToHaveAttributeAsync("href", "/console/errors");

        await page.EvaluateAsync("() => { window.notReloaded = true; }");
        await PlantAsync("overview-svc", "OverviewCountedToo", "another, counted live", DateTimeOffset.UtcNow);
        await Expect(errors).ToContainTextAsync($"⚠ {open + 1} error groups not resolved.", new() { Timeout = 10_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
    }

    [Fact]
    public async Task The_error_log_filters_by_status_type_service_and_date_with_the_filter_in_the_url()
    {
        var a = await PlantAsync("filter-billing", "FilterTimeout", "the relay timed out", Day(3, 2));
        var b = await PlantAsync("filter-billing", "FilterRejected", "the relay rejected the message", Day(3, 5));
        var c = await PlantAsync("filter-ledger", "FilterTimeout", "the ledger timed out", Day(3, 5, 12));
        var d = await PlantAsync("filter-billing", "FilterTimeout", "the relay timed out on a retry", Day(3, 9));
        await PlantAsync("filter-billing", "FilterTimeout", "the relay timed out on a retry", Day(3, 10)); // d again
        Assert.True((await store.UpdateAsync(b.Id, new ErrorUpdate("resolved"), DateTimeOffset.UtcNow)).Applied);

        var page = await host.SignedInAsync(ConsoleHost.ViewerKey, "/console/errors");
        await page.GetByLabel("Status").SelectOptionAsync("open");
        await page.GetByLabel("Service").FillAsync("filter-billing");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(host.Url("/console/errors?status=open&type=&service=filter-billing&run_id=&seen_from=&seen_to="));
        Assert.Equal(Ids(d, a), string.Join(",", await ListedAsync(page)));
        await Expect(page.GetByText("2 groups match the filter")).ToBeVisibleAsync();
        // Status in words, occurrences, first and last seen, service and what it hit.
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = $"#{d.Id}" });
        await Expect(row).ToContainTextAsync("Open");
        await Expect(row.Locator("td.num")).ToHaveTextAsync("2");
        await Expect(row).ToContainTextAsync("2026-03-09 10:00:00 UTC");
        await Expect(row).ToContainTextAsync("2026-03-10 10:00:00 UTC");
        await Expect(row).ToContainTextAsync("filter-billing");

        // Any status, one type: the groups of both services, most recently seen first.
        await page.GotoAsync(host.Url("/console/errors?type=FilterTimeout"));
        Assert.Equal(Ids(d, c, a), string.Join(",", await ListedAsync(page)));
        await Expect(page.GetByLabel("Error type")).ToHaveValueAsync("FilterTimeout");

        // Dates: the groups seen between the two days, whatever their status.
        await page.GetByLabel("Error type").FillAsync("");
        await page.GetByLabel("Service").FillAsync("filter-billing");
        await page.GetByLabel("Seen on or after (UTC date)").FillAsync("2026-03-04");
        await page.GetByLabel("Seen on or before (UTC date)").FillAsync("2026-03-06");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("seen_from=2026-03-04&seen_to=2026-03-06$"));
        Assert.Equal(Ids(b), string.Join(",", await ListedAsync(page)));
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = $"#{b.Id}" })).ToContainTextAsync("Resolved");
        await page.GotoAsync(host.Url("/console/errors?service=filter-billing&seen_from=2026-03-10"));
        Assert.Equal(Ids(d), string.Join(",", await ListedAsync(page)));

        // A filter that cannot be read names its field and lists nothing.
        var bad = await page.GotoAsync(host.Url("/console/errors?seen_from=2026-02-30&status=closed"));
        Assert.Equal(400, bad!.Status);
        var alert = page.GetByRole(AriaRole.Alert);
        await Expect(alert).ToContainTextAsync("Seen on or after: '2026-02-30' is not a date; expected yyyy-MM-dd");
        await Expect(alert).ToContainTextAsync("Status: unknown status 'closed'");
        await Expect(page.GetByLabel("Seen on or after (UTC date)")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByRole(AriaRole.Table)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_error_log_pages_by_key_most_recently_seen_first()
    {
        var planted = new List<ErrorRecord>();
        for (var i = 0; i < 27; i++)
            planted.Add(await PlantAsync("paging-svc", $"PagingFailure{(char)('A' + i % 26)}{(i >= 26 ? "Again" : "")}", "a page of failures",
                Day(4, 1).AddMinutes(i)));

        var page = await host.SignedInAsync(ConsoleHost.ViewerKey, "/console/errors?service=paging-svc");
        Assert.Equal(25, (await ListedAsync(page)).Count);
        var older = page.GetByRole(AriaRole.Link, new() { Name = "Older errors" });
        Assert.Equal($"/console/errors?service=paging-svc&after={planted[2].Id}", await older.GetAttributeAsync("href"));
        var seen = (await ListedAsync(page)).ToList();
        await older.ClickAsync();
        seen.AddRange(await ListedAsync(page));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Older errors" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Most recent errors" })).ToHaveAttributeAsync("href", "/console/errors?service=paging-svc");
        Assert.Equal(planted.AsEnumerable().Reverse().Select(r => $"#{r.Id}"), seen);
    }

    [Fact]
    public async Task An_error_goes_through_every_state_with_a_note_and_an_issue_link_each_shown_and_stored()
    {
        var (invoice, other, account, run) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        const string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        var error = await PlantAsync("mailer", "TriageEmailFailed", "mailbox unavailable for the triage", DateTimeOffset.UtcNow.AddMinutes(-5),
            invoice, account, run, trace, $$$"""{"invoice_id":"{{{invoice}}}","attempt":3,"reason":{"code":"smtp_550","text":"mailbox unavailable"}}""",
            "at Mailer.Send()\n   at Mailer.Handle()");
        await PlantAsync("mailer", "TriageEmailFailed", "mailbox unavailable for the triage", DateTimeOffset.UtcNow, other, account, run);

        var page = await host.SignedInAsync(ConsoleHost.OperatorKey, $"/console/errors/{error.Id}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Error #{error.Id}: TriageEmailFailed", Level = 1 })).ToBeVisibleAsync();
        var payload = await page.Locator("#payload").TextContentAsync();
        Assert.Contains("\n  \"attempt\": 3", payload);
        Assert.Contains("\n  \"reason\": {\n    \"code\": \"smtp_550\"", payload);
        await Expect(page.Locator("#backtrace")).ToContainTextAsync("at Mailer.Handle()");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = $"Trace {trace}" })).ToHaveAttributeAsync("href", $"http://traces.test/trace/{trace}");
        // What it hit: both invoices, the account and the run, each linked to its console page.
        foreach (var (kind, id) in new[] { ("invoices", invoice), ("invoices", other), ("accounts", account), ("runs", run) })
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = id.ToString(), Exact = true }).First).ToHaveAttributeAsync("href", $"/console/{kind}/{id}");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Invoices (2 in all)" })).ToBeVisibleAsync();

        var status = page.GetByLabel("New status");
        Assert.Equal(["No change: stays open", "Needs attention", "Resolved"], await status.Locator("option").AllInnerTextsAsync());
        var steps = new[]
        {
            ("needs_attention", "Needs attention", "the customer's MX record is gone: every mail bounces", "https://tracker.example/BILL-101"),
            ("in_progress", "In progress", "asked the customer to restore their MX record", "https://tracker.example/BILL-102"),
            ("resolved", "Resolved", "MX restored; both invoices resent", "https://tracker.example/BILL-103"),
        };
        var notes = new List<string>();
        foreach (var (value, label, note, link) in steps)
        {
            await page.GetByLabel("New status").SelectOptionAsync(value);
            await page.GetByLabel("Note", new() { Exact = true }).FillAsync(note);
            await page.GetByLabel("Issue link (optional)").FillAsync(link);
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(host.Url($"/console/errors/{error.Id}?saved=true"));
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Saved. The error is {label.ToLowerInvariant()}");
            await Expect(page.Locator(".status-line")).ToContainTextAsync(label);
            notes.Add(note);
            Assert.Equal(string.Join("\n", notes), await page.Locator("#notes").TextContentAsync());
            await Expect(page.Locator("#issue-link")).ToHaveAttributeAsync("href", link);

            var stored = await store.GetAsync(error.Id);
            Assert.Equal(value, stored!.Status.ToName());
            Assert.Equal(string.Join("\n", notes), stored.Notes);
            Assert.Equal(link, stored.IssueLink);
        }
        Assert.NotNull((await store.GetAsync(error.Id))!.ResolvedAt);
        // Resolved is the end: a note may still be added, no status offered.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Add a note" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("New status")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_open_error_fixed_at_once_goes_straight_to_resolved()
    {
        var error = await PlantAsync("pdf-renderer", "ShortcutRenderFailed", "font cache was stale", DateTimeOffset.UtcNow);
        var page = await host.SignedInAsync(ConsoleHost.OperatorKey, $"/console/errors/{error.Id}");
        await page.GetByLabel("New status").SelectOptionAsync("Resolved");
        await page.GetByLabel("Note", new() { Exact = true }).FillAsync("cleared the font cache; rendered again");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved. The error is resolved");

        var stored = await store.GetAsync(error.Id);
        Assert.Equal(ErrorStatus.Resolved, stored!.Status);
        Assert.Equal("cleared the font cache; rendered again", stored.Notes);
        Assert.Null(stored.IssueLink);
        Assert.NotNull(stored.ResolvedAt);
    }

    [Fact]
    public async Task A_disallowed_transition_a_bad_issue_link_and_an_empty_note_are_refused_naming_the_field_and_nothing_is_written()
    {
        var error = await PlantAsync("accounting-sync", "RefusalSyncFailed", "ledger connector refused the batch", DateTimeOffset.UtcNow);
        var before = await RowAsync(error.Id);
        var page = await host.SignedInAsync(ConsoleHost.OperatorKey, $"/console/errors/{error.Id}");
        var save = page.GetByRole(AriaRole.Button, new() { Name = "Save" });

        // A status the form does not offer (added to the list by hand): open cannot skip to in progress.
        await page.EvaluateAsync("() => { const o = document.createElement('option'); o.value = 'in_progress'; o.textContent = 'In progress'; document.getElementById('status').append(o); }");
        await page.GetByLabel("New status").SelectOptionAsync("in_progress");
        await page.GetByLabel("Note", new() { Exact = true }).FillAsync("starting on it");
        var refused = await page.RunAndWaitForResponseAsync(() => save.ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(400, refused.Status);
        var alert = page.GetByRole(AriaRole.Alert);
        await Expect(alert).ToContainTextAsync("Nothing was saved.");
        await Expect(alert).ToContainTextAsync("New status: 1 error");
        await Expect(alert).ToContainTextAsync("cannot move from open to in_progress; allowed: needs_attention, resolved");
        await Expect(page.GetByLabel("New status")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("Note", new() { Exact = true })).ToHaveValueAsync("starting on it");
        Assert.Equal(before, await RowAsync(error.Id));

        // An issue link that is no http(s) URL.
        await page.GetByLabel("New status").SelectOptionAsync("needs_attention");
        await page.GetByLabel("Issue link (optional)").FillAsync("BILL-42");
        await save.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Issue link: issue_link must be an absolute http or https URL, got 'BILL-42'");
        await Expect(page.GetByLabel("Issue link (optional)")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("Issue link (optional)")).ToHaveValueAsync("BILL-42");
        await Expect(page.GetByLabel("New status")).ToHaveValueAsync("needs_attention");
        Assert.Equal(before, await RowAsync(error.Id));

        // A change without a note.
        await page.GetByLabel("Note", new() { Exact = true }).FillAsync("   ");
        await page.GetByLabel("Issue link (optional)").FillAsync("https://tracker.example/BILL-42");
        await save.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Note: note must not be blank");
        await Expect(page.GetByLabel("Note", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Equal(before, await RowAsync(error.Id));

        // A made-up status sent by hand.
        var forged = await host.PostAsync(page, $"/console/errors/{error.Id}", await ConsoleHost.TokenAsync(page), ("status", "closed"), ("note", "closing"));
        Assert.Equal(400, forged.Status);
        Assert.Contains("unknown status &#x27;closed&#x27;", await forged.TextAsync());
        Assert.Equal(before, await RowAsync(error.Id));
        Assert.Equal(404, (await host.PostAsync(page, "/console/errors/987654321", await ConsoleHost.TokenAsync(page), ("note", "x"))).Status);
    }

    [Fact]
    public async Task The_daily_and_weekly_summaries_are_shown_as_markdown_to_copy_and_as_tables()
    {
        var error = await PlantAsync("mailer", "SummaryProbeFailed", "summary probe", DateTimeOffset.UtcNow.AddMinutes(-1));
        var page = await host.SignedInAsync(ConsoleHost.ViewerKey, "/console/errors");
        await page.GetByRole(AriaRole.Link, new() { Name = "Daily and weekly summaries" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Daily error summary", Level = 1 })).ToBeVisibleAsync();
        var markdown = page.Locator("#summary-markdown");
        await Expect(markdown).ToContainTextAsync("## Error log — daily summary to");
        await Expect(markdown).ToContainTextAsync($"| {error.Id} | open | mailer | SummaryProbeFailed | probe | 1 |");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy summary" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New in the last 24 h" })).ToBeVisibleAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = $"#{error.Id}", Exact = true }) });
        await Expect(row).ToContainTextAsync("SummaryProbeFailed");
        await Expect(row).ToContainTextAsync("Open");
        await Expect(row.GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", $"/console/errors/{error.Id}");

        await page.GetByRole(AriaRole.Link, new() { Name = "Weekly summary (last 7 days)" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Weekly error summary", Level = 1 })).ToBeVisibleAsync();
        await Expect(markdown).ToContainTextAsync("### Top fingerprints by occurrences");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Top fingerprints by occurrences" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = error.Fingerprint })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_viewer_sees_errors_without_write_controls_and_a_forged_post_with_a_valid_token_answers_403()
    {
        var error = await PlantAsync("mailer", "ViewerProbeFailed", "viewer probe", DateTimeOffset.UtcNow, payload: """{"probe":true}""");
        var before = await RowAsync(error.Id);
        var page = await host.SignedInAsync(ConsoleHost.ViewerKey, $"/console/errors/{error.Id}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Error #{error.Id}: ViewerProbeFailed" })).ToBeVisibleAsync();
        await Expect(page.Locator("#payload")).ToContainTextAsync("\"probe\": true");
        await Expect(page.Locator($"form[action='/console/errors/{error.Id}']")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save" })).ToHaveCountAsync(0);
        await Expect(page.GetByLabel("New status")).ToHaveCountAsync(0);

        var token = await ConsoleHost.TokenAsync(page);
        Assert.False(string.IsNullOrEmpty(token));
        var forged = await host.PostAsync(page, $"/console/errors/{error.Id}", token, ("status", "resolved"), ("note", "sneaky"));
        Assert.Equal(403, forged.Status);
        Assert.Contains("needs an operator key", await forged.TextAsync());
        Assert.Equal(before, await RowAsync(error.Id));
    }

    [Fact]
    public async Task The_error_and_reconcile_pages_read_without_javascript_label_every_control_and_work_from_the_keyboard()
    {
        var error = await PlantAsync("mailer", "KeyboardProbeFailed", "keyboard probe", DateTimeOffset.UtcNow, payload: """{"probe":1}""");
        await using var context = await host.Browser.Chromium.NewContextAsync(new() { JavaScriptEnabled = false, Locale = "en-US" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(host.Url("/console/errors"));
        await page.GetByLabel("API key").FillAsync(ConsoleHost.OperatorKey);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(host.Url("/console/errors"));

        foreach (var path in new[]
                 {
                     "/console/errors", "/console/errors?status=open", $"/console/errors/{error.Id}", $"/console/errors/{error.Id}/affected/invoice",
                     "/console/errors/summary", "/console/errors/summary?kind=weekly", "/console/reconcile", "/console/reconcile?run=true",
                 })
        {
            await page.GotoAsync(host.Url(path));
            await Expect(page.GetByRole(AriaRole.Main)).ToBeVisibleAsync();
            var unlabelled = await ConsoleHost.UnlabelledControlsAsync(page);
            Assert.True(unlabelled.Length == 0, $"{path}: {string.Join(", ", unlabelled)}");
        }
        // The payload and summary copy buttons need the script: without it they are not shown.
        await page.GotoAsync(host.Url($"/console/errors/{error.Id}"));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy payload" })).ToBeHiddenAsync();

        // The change form from the keyboard alone: status, note, link, then Save.
        await page.GetByLabel("New status").FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("triaged from the keyboard");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("https://tracker.example/BILL-7");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Save", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved. The error is needs attention");
        var stored = await store.GetAsync(error.Id);
        Assert.Equal((ErrorStatus.NeedsAttention, "triaged from the keyboard", "https://tracker.example/BILL-7"), (stored!.Status, stored.Notes, stored.IssueLink));
    }

    [Fact]
    public async Task Reconciliation_runs_from_the_console_as_the_api_does_clean_and_then_with_a_planted_drift_in_money()
    {
        var runId = Guid.NewGuid();
        List<Guid> accounts;
        await using (var conn = await host.Db.DataSource.OpenConnectionAsync())
        {
            accounts = (await conn.QueryAsync<Guid>("select id from accounts where currency = 'EUR' order by name")).ToList();
            await conn.ExecuteAsync("insert into invoice_runs (id, period, status, accounts, started_at, completed_at) values (@runId, '2019-01', 'completed', 1, now(), now())",
                new { runId });
        }
        async Task<string> InvoiceAsync(int month, long total, long? ledger)
        {
            var id = Guid.NewGuid();
            var number = $"INV-REC-{month:D4}";
            await using var conn = await host.Db.DataSource.OpenConnectionAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await conn.ExecuteAsync("""
                insert into invoices (id, run_id, account_id, period, issuer, number, currency, subtotal_minor, tax_rate, tax_minor, total_minor,
                    due_at, email_status, emailed_at, synced_at)
                values (@id, @runId, @account, @period, 'default', @number, 'EUR', @total, 0, 0, @total, date '2019-12-31', 'sent', now(), now())
                """, new { id, runId, account = accounts[month % accounts.Count], period = $"2019-{month:D2}", number, total }, tx);
            if (ledger is { } amount)
            {
                var entry = Guid.NewGuid();
                await conn.ExecuteAsync("""
                    insert into journal_entries (id, source_type, source_id, invoice_id, account_id, currency, posted_at)
                    values (@entry, 'invoice', @id::text, @id, @account, 'EUR', now());
                    insert into journal_lines (entry_id, line_no, ledger_account, debit_minor, credit_minor)
                    values (@entry, 1, 'accounts_receivable', @amount, 0), (@entry, 2, 'revenue:subscription', 0, @amount);
                    """, new { entry, id, account = accounts[month % accounts.Count], amount }, tx);
            }
            await tx.CommitAsync();
            return number;
        }
        await InvoiceAsync(1, 700_111, 700_111);

        // Reconciling only reads, as GET /admin/reconcile does: a viewer runs it too.
        var page = await host.SignedInAsync(ConsoleHost.ViewerKey, "/console/reconcile");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run reconciliation" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(host.Url("/console/reconcile?run=true"));
        var result = page.Locator("#reconcile-result");
        await Expect(result).ToContainTextAsync("Clean: no drift in 1 invoice of 1 account");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Drifts" })).ToHaveCountAsync(0);

        var changed = await InvoiceAsync(2, 1_400_222, 1_400_000);
        var missing = await InvoiceAsync(3, 700_111, null);
        await page.GetByRole(AriaRole.Button, new() { Name = "Run reconciliation again" }).ClickAsync();
        await Expect(result).ToContainTextAsync("Drift: 2 differences need a person; 3 invoices of 2 accounts checked");
        var drifts = page.GetByRole(AriaRole.Table, new() { Name = "Drifts" });
        var mismatch = drifts.GetByRole(AriaRole.Row).Filter(new() { HasText = changed });
        await Expect(mismatch).ToContainTextAsync("Ledger amount differs");
        await Expect(mismatch.Locator("td.num").Nth(0)).ToHaveTextAsync("EUR 14,002.22");
        await Expect(mismatch.Locator("td.num").Nth(1)).ToHaveTextAsync("EUR 14,000.00");
        await Expect(mismatch).ToContainTextAsync($"invoice {changed}: ledger holds 1400000 instead of 1400222 EUR minor units");
        var absent = drifts.GetByRole(AriaRole.Row).Filter(new() { HasText = missing });
        await Expect(absent).ToContainTextAsync("Missing in the ledger");
        await Expect(absent.Locator("td.num").Nth(0)).ToHaveTextAsync("EUR 7,001.11");
        await Expect(absent.Locator("td.num").Nth(1)).ToHaveTextAsync("—");
        await Expect(absent.GetByRole(AriaRole.Link, new() { Name = missing })).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("^/console/invoices/[0-9a-f-]{36}$"));
    }
}
