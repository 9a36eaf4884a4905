using System.Text.RegularExpressions;
using Billing.AdminApi.OperatorConsole;
using Billing.Redrive;
using Billing.Testing;
using Dapper;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Billing.Foundation.Tests;

/// <summary>
/// admin-api and the redrive service as their own processes on one database and vhost (as <see cref="ConsoleHost"/>,
/// plus the service that runs redrive jobs), the console's operator and viewer keys, a trace-link template, and
/// dead-lettered messages planted in queues of their own per spec, shaped as MassTransit leaves them.
/// </summary>
public sealed class ConsoleDeadLetterHost : IAsyncLifetime
{
    public const string TraceUi = "http://traces.test/trace/{trace_id}";

    /// <summary>Read by several specs, changed by none: five timeouts and two refusals, and one archived message.</summary>
    public const string ViewQueue = "view-generate_error";

    public const string BigQueue = "big-generate_error";
    public const int BigQueueMessages = 10_000;

    public TestDatabase Db { get; private set; } = null!;
    public TestVhost Vhost { get; private set; } = null!;
    public ServiceProcess Api { get; private set; } = null!;
    public ServiceProcess Redrive { get; private set; } = null!;
    public Browser Browser { get; private set; } = null!;
    public Guid RunId { get; } = Guid.NewGuid();
    public string TraceId { get; } = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

    /// <summary>The planted messages of <see cref="ViewQueue"/>: id, account and invoice.</summary>
    public List<(string Id, Guid Account, Guid Invoice)> ViewMessages { get; } = [];

    private RedriveOptions Options => new() { AmqpUri = new Uri(Vhost.AmqpUrl), ManagementUri = new Uri(TestServers.RabbitManagementUrl) };

    public async Task InitializeAsync()
    {
        Db = await TestDatabase.CreateAsync("consoledlq");
        Vhost = await TestVhost.CreateAsync("consoledlq");
        var broker = new Dictionary<string, string?>
        {
            ["Postgres__ConnectionString"] = Db.ConnectionString,
            ["RabbitMq__Url"] = Vhost.AmqpUrl,
            ["RabbitMq__ManagementUrl"] = TestServers.RabbitManagementUrl,
        };
        Api = AdminApiProcess.Start(Db, Vhost, ApiKeys.Setting(ConsoleHost.OperatorKey, ConsoleHost.ViewerKey),
            new Dictionary<string, string?>(broker) { ["BILLING_TRACE_UI_URL"] = TraceUi });
        Redrive = ServiceProcess.Start("redrive", "Billing.Redrive.Service", new Dictionary<string, string?>(broker) { ["Redrive__PollIntervalMs"] = "200" });

        for (var i = 0; i < 7; i++) ViewMessages.Add((Guid.NewGuid().ToString(), Guid.NewGuid(), Guid.NewGuid()));
        await PlantAsync(ViewQueue, ViewMessages.Select((m, i) => (m.Id, i < 5 ? "System.TimeoutException" : "System.InvalidOperationException", m.Account, m.Invoice)));
        await PlantAsync(QueueNames.Archive(ViewQueue), [(Guid.NewGuid().ToString(), "System.TimeoutException", Guid.NewGuid(), Guid.NewGuid())]);
        await PlantAsync(BigQueue, Enumerable.Range(0, BigQueueMessages).Select(i => ($"big-{i:D5}", "System.TimeoutException", Guid.NewGuid(), Guid.NewGuid())));

        await Api.WaitHealthyAsync();
        await Redrive.WaitHealthyAsync();
        Browser = await Browser.LaunchAsync();
    }

    /// <summary>Declares the dead-letter queue and the queue it belongs to, and fills the first with these faults of <c>GenerateInvoice</c>.</summary>
    public async Task PlantAsync(string queue, IEnumerable<(string Id, string Exception, Guid Account, Guid Invoice)> messages)
    {
        var source = QueueNames.SourceOf(QueueNames.KindOf(queue) == DeadLetterKind.Archive ? QueueNames.SourceOf(queue) : queue);
        await using var connection = await Vhost.ConnectAsync();
        await AmqpQueues.DeclareAsync(connection, source, queue);
        await AmqpQueues.PublishAsync(connection, queue,
            messages.Select(m => DeadLetterFaults.Make(Vhost.Name, source, m.Id, m.Exception, m.Account, RunId, m.Invoice, TraceId)).ToList());
    }

    public async Task<long?> CountAsync(string queue) => await new DeadLetterQueues(Options).CountAsync(queue);

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Redrive.DisposeAsync();
        await Api.DisposeAsync();
        await Vhost.DisposeAsync();
        await Db.DisposeAsync();
    }
}

/// <summary>
/// The console's dead-letter pages in Chromium, the duty engineer's view of failed messages: queues and their depth,
/// groups by cause with the invoices, accounts and runs they concern, one message in full, a redrive from dry run to
/// done, archive, restore and purge, the audit log, and what viewers and bad input may not do.
/// </summary>
public sealed class When_operators_handle_dead_letters_in_the_console(ConsoleDeadLetterHost host) : IClassFixture<ConsoleDeadLetterHost>
{
    private string Url(string path) => host.Api.BaseUrl + path;

    private static string QueuePath(string queue) => $"/console/dead-letters/{queue}";

    private async Task<IPage> SignedInAsync(string key, string path)
    {
        var page = await host.Browser.NewPageAsync(1400, 1000);
        await page.GotoAsync(Url(path));
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(Url(path));
        return page;
    }

    private async Task<long> AuditRowsAsync(string queue)
    {
        await using var conn = await host.Db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("select count(*) from redrive_audit where queue = @queue", new { queue }) +
               await conn.ExecuteScalarAsync<long>("select count(*) from redrive_jobs where queue = @queue", new { queue });
    }

    private async Task PlantAsync(string queue, int timeouts, int refusals = 0) =>
        await host.PlantAsync(queue, Enumerable.Range(0, timeouts + refusals)
            .Select(i => (Guid.NewGuid().ToString(), i < timeouts ? "System.TimeoutException" : "System.InvalidOperationException", Guid.NewGuid(), Guid.NewGuid())));

    [Fact]
    public async Task The_list_shows_each_queue_with_its_depth_and_age_archives_apart_and_a_queue_groups_its_messages_with_their_ids_linked()
    {
        var page = await SignedInAsync(ConsoleHost.OperatorKey, "/console/dead-letters");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dead letters", Level = 1 })).ToBeVisibleAsync();
        var queues = page.GetByRole(AriaRole.Table, new() { Name = "Dead-letter queues (error, skipped, parked)" });
        var row = queues.GetByRole(AriaRole.Row).Filter(new() { HasText = ConsoleDeadLetterHost.ViewQueue });
        await Expect(row.Locator("td.num")).ToHaveTextAsync("7");
        await Expect(row).ToContainTextAsync(" old");
        await Expect(row).ToContainTextAsync("view-generate");
        var archives = page.GetByRole(AriaRole.Table, new() { Name = "Archives" });
        await Expect(archives.GetByRole(AriaRole.Row).Filter(new() { HasText = QueueNames.Archive(ConsoleDeadLetterHost.ViewQueue) }).Locator("td.num")).ToHaveTextAsync("1");
        await Expect(queues).Not.ToContainTextAsync("_archive");
        await Expect(page.Locator("#dlq-total")).ToContainTextAsync("waiting in");

        await queues.GetByRole(AriaRole.Link, new() { Name = ConsoleDeadLetterHost.ViewQueue, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Dead letters: {ConsoleDeadLetterHost.ViewQueue}" })).ToBeVisibleAsync();
        var groups = page.GetByRole(AriaRole.Table, new() { NameRegex = new Regex("^Messages grouped by") }).Locator("tbody tr");
        await Expect(groups).ToHaveCountAsync(2);
        await Expect(groups.Nth(0)).ToContainTextAsync("System.TimeoutException");
        await Expect(groups.Nth(0)).ToContainTextAsync("GenerateInvoice");
        await Expect(groups.Nth(0).Locator("td.num")).ToHaveTextAsync("5");
        await Expect(groups.Nth(1)).ToContainTextAsync("System.InvalidOperationException");
        await Expect(groups.Nth(1).Locator("td.num")).ToHaveTextAsync("2");

        // One group's messages, each with the invoice, account and run it concerns linked to their pages.
        await groups.Nth(1).GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Show messages") }).ClickAsync();
        var messages = page.GetByRole(AriaRole.Table, new() { NameRegex = new Regex("^Messages of group") }).Locator("tbody tr");
        await Expect(messages).ToHaveCountAsync(2);
        foreach (var (id, account, invoice) in host.ViewMessages.Skip(5))
        {
            var message = messages.Filter(new() { HasText = id });
            await Expect(message.Locator($"a[href='/console/invoices/{invoice}']")).ToHaveTextAsync(invoice.ToString());
            await Expect(message.Locator($"a[href='/console/accounts/{account}']")).ToHaveTextAsync(account.ToString());
            await Expect(message.Locator($"a[href='/console/runs/{host.RunId}']")).ToBeVisibleAsync();
        }

        // Every control has a label, for the operator who sees them all.
        await page.GotoAsync(Url(QueuePath(ConsoleDeadLetterHost.ViewQueue)));
        var unlabelled = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
                .filter(e => !(e.labels && e.labels.length) && !e.textContent.trim() && !e.getAttribute('aria-label'))
                .map(e => e.outerHTML)
            """);
        Assert.Empty(unlabelled);
        await Browser.ScreenshotAsync(page, Path.Combine(RepoPaths.Root, "docs", "images", "console-dead-letters.png"), fullPage: true);
    }

    [Fact]
    public async Task A_message_shows_its_headers_body_exception_the_ids_it_concerns_and_its_trace_link()
    {
        var (id, account, invoice) = host.ViewMessages[0];
        var page = await SignedInAsync(ConsoleHost.ViewerKey, QueuePath(ConsoleDeadLetterHost.ViewQueue));
        await page.GetByRole(AriaRole.Link, new() { Name = id }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Dead letter {id}", Level = 1 })).ToBeVisibleAsync();

        var headers = page.GetByRole(AriaRole.Table, new() { Name = "Headers", Exact = true });
        await Expect(headers.GetByRole(AriaRole.Row).Filter(new() { HasText = "MT-Fault-ExceptionType" })).ToContainTextAsync("System.TimeoutException");
        await Expect(headers.GetByRole(AriaRole.Row).Filter(new() { HasText = "MT-Fault-RetryCount" })).ToContainTextAsync("2");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Message properties" })).ToContainTextAsync("application/vnd.masstransit+json");
        // The body pretty-printed: one property a line.
        var body = await page.Locator("#body").InnerTextAsync();
        Assert.Contains($"\"invoiceId\": \"{invoice}\"", body);
        Assert.Contains('\n', body.Trim());
        await Expect(page.Locator("#exception-message")).ToHaveTextAsync($"System.TimeoutException for account {account}");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Exception" })).ToContainTextAsync("at Billing.Invoicing.Generator.Run()");
        var concerns = page.GetByRole(AriaRole.Region, new() { Name = "What it concerns" });
        await Expect(concerns.Locator($"a[href='/console/invoices/{invoice}']")).ToBeVisibleAsync();
        await Expect(concerns.Locator($"a[href='/console/accounts/{account}']")).ToBeVisibleAsync();
        await Expect(concerns.Locator($"a[href='/console/runs/{host.RunId}']")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Open trace") }))
            .ToHaveAttributeAsync("href", ConsoleDeadLetterHost.TraceUi.Replace("{trace_id}", host.TraceId));

        // A message no longer there is a 404 page.
        var gone = await page.GotoAsync(Url($"{QueuePath(ConsoleDeadLetterHost.ViewQueue)}/messages/{Guid.NewGuid()}"));
        Assert.Equal(404, gone!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Message not found" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_group_is_redriven_after_a_dry_run_with_its_progress_followed_live_until_done_and_the_audit_names_the_key()
    {
        const string queue = "redrive-generate_error";
        await PlantAsync(queue, 30, 4);
        var page = await SignedInAsync(ConsoleHost.OperatorKey, QueuePath(queue));
        var timeouts = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "System.TimeoutException" });
        await timeouts.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Redrive") }).ClickAsync();

        // The dry run: where the messages would go; nothing has moved.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Redrive from {queue}" })).ToBeVisibleAsync();
        var plan = page.GetByRole(AriaRole.Table, new() { Name = "Where the messages would go" });
        await Expect(plan.GetByRole(AriaRole.Row).Filter(new() { HasText = "redrive-generate" }).Locator("td.num")).ToHaveTextAsync("30");
        await Expect(page.GetByText("4 not chosen")).ToBeVisibleAsync();
        Assert.Equal(34, await host.CountAsync(queue));

        await page.GetByLabel("Rate (messages per second)").FillAsync("10");
        await page.GetByRole(AriaRole.Button, new() { Name = "Redrive 30 messages" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/console/dead-letters/jobs/[0-9a-f-]{36}$"));
        await page.EvaluateAsync("() => { window.notReloaded = true; }");
        await Expect(page.Locator("#job-state")).ToContainTextAsync("Done", new() { Timeout = 30_000 });
        await Expect(page.Locator("#job-counts")).ToContainTextAsync("30 of 34");
        await Expect(page.Locator("#job-cancel")).ToHaveCountAsync(0);
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));
        Assert.Equal(30, await host.CountAsync("redrive-generate"));
        Assert.Equal(4, await host.CountAsync(queue));

        // The audit log names the key that asked, for the dry run and the redrive.
        await page.GotoAsync(Url("/console/dead-letters"));
        var audit = page.GetByRole(AriaRole.Table, new() { NameRegex = new Regex("^Audit log") }).GetByRole(AriaRole.Row).Filter(new() { HasText = queue });
        await Expect(audit).ToHaveCountAsync(2, new() { Timeout = 10_000 });
        await Expect(audit.Nth(0)).ToContainTextAsync("ops");
        await Expect(audit.Nth(0)).ToContainTextAsync("30 of 34 moved");
        await Expect(audit.Nth(1)).ToContainTextAsync("dry run of a redrive");
        await Expect(audit.Nth(1)).ToContainTextAsync("ops");
    }

    [Fact]
    public async Task Messages_are_archived_and_restored_untouched()
    {
        const string queue = "archive-generate_error";
        await PlantAsync(queue, 3);
        var page = await SignedInAsync(ConsoleHost.OperatorKey, QueuePath(queue));
        await page.GetByRole(AriaRole.Button, new() { Name = "Archive every message" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Archived 3 messages to {queue}_archive.");
        await Expect(page.Locator("#queue-count")).ToHaveTextAsync("0");
        Assert.Equal(3, await host.CountAsync($"{queue}_archive"));

        await page.GetByRole(AriaRole.Link, new() { Name = $"{queue}_archive" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Restore every message to {queue}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Restored 3 messages to {queue}.");
        Assert.Equal(3, await host.CountAsync(queue));
        Assert.Equal(0, await host.CountAsync($"{queue}_archive"));
    }

    [Fact]
    public async Task A_purge_with_a_mistyped_queue_name_is_refused_and_the_right_name_deletes_the_messages()
    {
        const string queue = "purge-generate_error";
        await PlantAsync(queue, 4);
        var page = await SignedInAsync(ConsoleHost.OperatorKey, QueuePath(queue));
        await page.GetByText("Purge this queue…").ClickAsync();
        await page.GetByLabel("Queue name").FillAsync("purge-generate");
        await page.GetByRole(AriaRole.Button, new() { Name = "Purge 4 messages" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Queue name: 'purge-generate' does not repeat the queue name 'purge-generate_error'");
        await Expect(page.GetByLabel("Queue name")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Equal(4, await host.CountAsync(queue));
        Assert.Equal(0, await AuditRowsAsync(queue));

        await page.GetByLabel("Queue name").FillAsync(queue);
        await page.GetByRole(AriaRole.Button, new() { Name = "Purge 4 messages" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Purged 4 messages from {queue}.");
        Assert.Equal(0, await host.CountAsync(queue));
    }

    [Fact]
    public async Task A_viewer_sees_no_write_control_and_a_forged_post_with_a_valid_token_answers_403()
    {
        var queue = ConsoleDeadLetterHost.ViewQueue;
        var page = await SignedInAsync(ConsoleHost.ViewerKey, QueuePath(queue));
        await Expect(page.GetByRole(AriaRole.Table, new() { NameRegex = new Regex("^Messages grouped by") })).ToBeVisibleAsync();
        await Expect(page.Locator("main form")).ToHaveCountAsync(0);
        await Expect(page.Locator("main button")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = host.ViewMessages[0].Id }).ClickAsync();
        await Expect(page.Locator("main form")).ToHaveCountAsync(0);

        var token = await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        Assert.False(string.IsNullOrEmpty(token));
        foreach (var (path, fields) in new (string, (string, string)[])[]
                 {
                     ($"{QueuePath(queue)}/purge", [("confirm_queue", queue), ("expected_count", "7")]),
                     ($"{QueuePath(queue)}/redrive", [("all", "true")]),
                     ($"{QueuePath(queue)}/redrive/plan", [("all", "true")]),
                     ($"{QueuePath(queue)}/archive", [("all", "true")]),
                     ($"/console/dead-letters/jobs/{Guid.NewGuid()}/cancel", []),
                 })
        {
            var form = page.Context.APIRequest.CreateFormData();
            foreach (var (name, value) in fields) form.Set(name, value);
            form.Set("__RequestVerificationToken", token!);
            var response = await page.Context.APIRequest.PostAsync(Url(path), new() { Form = form, MaxRedirects = 0 });
            Assert.True(response.Status == 403, $"{path}: {response.Status}");
        }
        Assert.Equal(7, await host.CountAsync(queue));
        Assert.Equal(0, await AuditRowsAsync(queue));
    }

    [Fact]
    public async Task Bad_input_shows_an_error_naming_the_field_and_changes_nothing()
    {
        var queue = ConsoleDeadLetterHost.ViewQueue;
        var page = await SignedInAsync(ConsoleHost.OperatorKey, QueuePath(queue));

        // A rate that is no number.
        await page.GetByLabel("Every message in the queue").CheckAsync();
        await page.GetByLabel("Rate (messages per second)").FillAsync("fast");
        await page.GetByRole(AriaRole.Button, new() { Name = "Dry run" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Rate (messages per second): 'fast' is not a number of messages per second");
        await Expect(page.GetByLabel("Rate (messages per second)")).ToHaveAttributeAsync("aria-invalid", "true");

        // A rate out of range, and then no message chosen at all.
        await page.GetByLabel("Rate (messages per second)").FillAsync("-5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Dry run" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Rate (messages per second): rate must be between 0 (exclusive) and 1000000");
        await page.GetByLabel("Rate (messages per second)").FillAsync("");
        await page.GetByLabel("Every message in the queue").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Dry run" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Messages: no message is chosen");
        Assert.Equal(7, await host.CountAsync(queue));
        Assert.Equal(0, await AuditRowsAsync(queue));

        // Unknown queues and names that are no dead-letter queue are 404 pages.
        foreach (var path in new[] { "/console/dead-letters/no-such-queue_error", "/console/dead-letters/generate-invoice" })
        {
            var missing = await page.GotoAsync(Url(path));
            Assert.Equal(404, missing!.Status);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Queue not found" })).ToBeVisibleAsync();
        }
    }

    [Fact]
    public async Task Ten_thousand_messages_are_paged_by_key_fifty_at_a_time()
    {
        var page = await SignedInAsync(ConsoleHost.ViewerKey, QueuePath(ConsoleDeadLetterHost.BigQueue));
        await Expect(page.Locator("#queue-count")).ToHaveTextAsync("10,000");
        var table = page.GetByRole(AriaRole.Table, new() { Name = "Messages", Exact = true });
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(ConsoleDeadLetterPages.MessagesPerPage);
        var first = await table.Locator("tbody th").AllInnerTextsAsync();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"big-{i:D5}"), first);

        await page.GetByRole(AriaRole.Link, new() { Name = "Next messages" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"\?after=big-00049#messages-h$"));
        var second = await table.Locator("tbody th").AllInnerTextsAsync();
        Assert.Equal(Enumerable.Range(50, 50).Select(i => $"big-{i:D5}"), second);
        Assert.Equal(ConsoleDeadLetterHost.BigQueueMessages, await host.CountAsync(ConsoleDeadLetterHost.BigQueue));
    }
}
